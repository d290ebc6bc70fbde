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

forgot-link = Forgot your password?
forgot-title = Forgot your password
forgot-intro = Enter your email address. If it has an account, we send you a link to choose a new password. The link works for one hour.
forgot-button = Send the link
forgot-sent-title = Check your email
forgot-sent = If this email address has an account, an email with a link is now in your inbox. No email? Check your spam folder too.
reset-title = Choose a new password
reset-intro = Choose a password of at least 12 characters. After that you sign in again everywhere.
field-new-password = New password
reset-button = Save the password
reset-done-title = Your password has changed
reset-done = Sign in with your new password.
reset-unusable = This link no longer works: it was used or has expired. Ask for a new link.
password-too-short = Choose a password of at least 12 characters.
go-sign-in = Go to sign in

invitation-title = Invitation to { $organisation }
invitation-intro = { $organisation } invites you to join Pactum, as { $role }. Create your account: choose a password.
invitation-account-intro = { $organisation } invites you to join Pactum, as { $role }. You already have an account for { $email }.
invitation-sign-in-first = Sign in with that account first. Then you can accept the invitation.
invitation-other-account = You are signed in with another account. Sign out and sign in with the account for { $email }.
field-name = Your name
field-choose-password = Choose a password (at least 12 characters)
consent-label = I have read the privacy statement and I agree.
consent-missing = Confirm that you have read the privacy statement.
name-missing = Enter your name.
privacy-link = Read the privacy statement
invitation-accept = Accept the invitation
invitation-unusable = This invitation no longer works: it was used or has expired. Ask the person who invited you for a new one.
privacy-title = Privacy statement
privacy-text = Pactum keeps your name, your email address and your role in your network or municipality, so that you can keep track of your agreements and grants together. Only the people of your own network and of the municipalities your network works with see this. Your password is only kept encrypted. Do you want to see your data or have it removed? Ask your network's coordinator or the municipality.

contact-title = Confirm the email address
contact-intro = Confirm that messages to { $network } through the public list of networks may arrive at this address.
contact-button = Confirm the address
contact-done-title = Address confirmed
contact-done = Thank you. { $network } can now receive messages through the public list of networks.
contact-unusable = This link no longer works: it was used or has expired. Ask the network's coordinator for a new one.

change-password-link = Change password
change-password-title = Change password
change-password-intro = Enter your current password and choose a new one of at least 12 characters. On other devices you then sign in again.
field-current-password = Current password
change-password-button = Change password
wrong-current-password = Your current password is not correct.
change-password-done = Your password has changed. You are signed out on other devices.
go-home = Go to My Pactum

month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

optional = optional
