site-name = Pactum
skip-to-content = Skip to content
language = Language
language-choose = Choose language
sign-out = Sign out
signed-in-as = Signed in as { $name }

sign-in-title = Sign in
sign-in-intro = Sign in with your email address and password.
field-email = Email address
field-password = Password
sign-in-button = Sign in
sign-in-failed = This email address and password do not match. Check them and try again.
sign-in-too-many = Too many attempts. Wait a quarter of an hour and try again.
email-missing = Enter your email address, for example name@example.nl.
password-missing = Enter your password.
errors-title = Something went wrong
signed-out = You are signed out.

home-title = My Pactum
home-greeting = Hello { $name }
home-organisations = Where you belong
home-nothing = You do not belong to a municipality or network yet. Ask your network's coordinator for an invitation.
role-municipal_admin = administrator
role-officer = officer
role-finance = finance
role-auditor = auditor
role-coordinator = coordinator
role-treasurer = treasurer
role-member = member

error-title = That did not work
error-csrf = This form has expired. Go back, reload the page and try again.
error-not-found = This page does not exist, or you may not see it.
