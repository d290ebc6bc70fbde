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

forgot-link = Wachtwoord vergeten?
forgot-title = Wachtwoord vergeten
forgot-intro = Vul je e-mailadres in. Als er een account bij hoort, sturen we je een link om een nieuw wachtwoord te kiezen. De link werkt één uur.
forgot-button = Stuur de link
forgot-sent-title = Kijk in je e-mail
forgot-sent = Als er een account bij dit e-mailadres hoort, staat er nu een e-mail met een link in je inbox. Geen e-mail gekregen? Kijk ook bij de ongewenste e-mail.
reset-title = Kies een nieuw wachtwoord
reset-intro = Kies een wachtwoord van minstens 12 tekens. Daarna log je overal opnieuw in.
field-new-password = Nieuw wachtwoord
reset-button = Wachtwoord opslaan
reset-done-title = Je wachtwoord is veranderd
reset-done = Log in met je nieuwe wachtwoord.
reset-unusable = Deze link werkt niet meer: hij is al gebruikt of verlopen. Vraag een nieuwe link aan.
password-too-short = Kies een wachtwoord van minstens 12 tekens.
go-sign-in = Naar inloggen

invitation-title = Uitnodiging voor { $organisation }
invitation-intro = { $organisation } nodigt je uit om mee te doen in Pactum, als { $role }. Maak je account: kies een wachtwoord.
invitation-account-intro = { $organisation } nodigt je uit om mee te doen in Pactum, als { $role }. Je hebt al een account voor { $email }.
invitation-sign-in-first = Log eerst in met dat account. Daarna kun je de uitnodiging aannemen.
invitation-other-account = Je bent ingelogd met een ander account. Log uit en log in met het account voor { $email }.
field-name = Je naam
field-choose-password = Kies een wachtwoord (minstens 12 tekens)
consent-label = Ik heb de privacyverklaring gelezen en ga akkoord.
consent-missing = Geef aan dat je de privacyverklaring hebt gelezen.
name-missing = Vul je naam in.
privacy-link = Lees de privacyverklaring
invitation-accept = Uitnodiging aannemen
invitation-unusable = Deze uitnodiging werkt niet meer: ze is al gebruikt of verlopen. Vraag de persoon die je uitnodigde om een nieuwe.
privacy-title = Privacyverklaring
privacy-text = Pactum bewaart je naam, je e-mailadres en je rol in je netwerk of gemeente, zodat jullie afspraken en subsidies samen kunnen bijhouden. Alleen de mensen van je eigen netwerk en van de gemeenten waar je netwerk mee samenwerkt zien die gegevens. Je wachtwoord wordt alleen versleuteld bewaard. Wil je je gegevens inzien of laten verwijderen? Vraag het de coördinator van je netwerk of de gemeente.

contact-title = E-mailadres bevestigen
contact-intro = Bevestig dat berichten aan { $network } via de openbare lijst van netwerken op dit adres binnen mogen komen.
contact-button = Adres bevestigen
contact-done-title = Adres bevestigd
contact-done = Bedankt. { $network } kan nu berichten krijgen via de openbare lijst van netwerken.
contact-unusable = Deze link werkt niet meer: hij is al gebruikt of verlopen. Vraag de coördinator van het netwerk om een nieuwe.

change-password-link = Wachtwoord wijzigen
change-password-title = Wachtwoord wijzigen
change-password-intro = Vul je huidige wachtwoord in en kies een nieuw wachtwoord van minstens 12 tekens. Op andere apparaten log je daarna opnieuw in.
field-current-password = Huidig wachtwoord
change-password-button = Wachtwoord wijzigen
wrong-current-password = Je huidige wachtwoord klopt niet.
change-password-done = Je wachtwoord is veranderd. Op andere apparaten ben je uitgelogd.
go-home = Naar Mijn Pactum

month-1 = januari
month-2 = februari
month-3 = maart
month-4 = april
month-5 = mei
month-6 = juni
month-7 = juli
month-8 = augustus
month-9 = september
month-10 = oktober
month-11 = november
month-12 = december

optional = optioneel
