site-name = Pactum
skip-to-content = Naar de inhoud
language = Taal
language-choose = Kies taal
sign-out = Uitloggen
signed-in-as = Ingelogd als { $name }

sign-in-title = Inloggen
sign-in-intro = Log in met je e-mailadres en wachtwoord.
field-email = E-mailadres
field-password = Wachtwoord
sign-in-button = Inloggen
sign-in-failed = Dit e-mailadres en wachtwoord horen niet bij elkaar. Controleer ze en probeer het opnieuw.
sign-in-too-many = Te veel pogingen. Wacht een kwartier en probeer het dan opnieuw.
email-missing = Vul je e-mailadres in, bijvoorbeeld naam@voorbeeld.nl.
password-missing = Vul je wachtwoord in.
errors-title = Er ging iets mis
signed-out = Je bent uitgelogd.

home-title = Mijn Pactum
home-greeting = Hallo { $name }
home-organisations = Waar je bij hoort
home-nothing = Je hoort nog bij geen gemeente of netwerk. Vraag de coördinator van je netwerk om een uitnodiging.
role-municipal_admin = beheerder
role-officer = medewerker
role-finance = financiën
role-auditor = controleur
role-coordinator = coördinator
role-treasurer = penningmeester
role-member = lid

error-title = Dat lukte niet
error-csrf = Dit formulier is verlopen. Ga terug, laad de pagina opnieuw en probeer het nog een keer.
error-not-found = Deze pagina bestaat niet, of je mag hem niet zien.
