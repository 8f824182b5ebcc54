package api

// messages holds the page texts: Dutch first, English on ?lang=en.
var messages = map[string]map[string]string{
	"nl": {
		"skip":                           "Naar de inhoud",
		"tagline":                        "planning van Centering Ouderschap",
		"language":                       "Taal",
		"footer":                         "coplan bewaart zo min mogelijk gegevens: geen namen, adressen of BSN's.",
		"login.title":                    "Inloggen",
		"login.explain":                  "Met deze eenmalige link opent u een sessie in coplan. De link werkt maar één keer.",
		"login.button":                   "Inloggen",
		"login.invalid":                  "Deze inloglink is onbekend, al gebruikt of verlopen. Vraag een nieuwe aan bij uw beheerder.",
		"home.title":                     "Welkom bij coplan",
		"home.role":                      "U bent ingelogd als",
		"home.next":                      "Verder",
		"home.api":                       "API-beschrijving (OpenAPI)",
		"logout":                         "Uitloggen",
		"logout.done":                    "U bent uitgelogd.",
		"role.admin":                     "beheerder",
		"role.coordinator":               "coördinator",
		"role.nurse":                     "jeugdverpleegkundige",
		"role.location":                  "medewerker COA-locatie",
		"error.title":                    "Er ging iets mis",
		"error.home":                     "Naar de startpagina",
		"error.Not Found":                "Deze pagina bestaat niet of is niet (meer) beschikbaar.",
		"error.Unauthorized":             "U bent niet ingelogd. Open de inloglink die u heeft gekregen.",
		"error.Forbidden":                "U mag dit niet doen, of het formulier is verlopen. Laad de pagina opnieuw en probeer het nog eens.",
		"error.Bad Request":              "De gegevens kloppen niet.",
		"error.Request Entity Too Large": "Het verzoek is te groot.",
	},
	"en": {
		"skip":                           "Skip to content",
		"tagline":                        "planning Centering Parenting",
		"language":                       "Language",
		"footer":                         "coplan stores as little as it can: no names, addresses or citizen numbers.",
		"login.title":                    "Log in",
		"login.explain":                  "This one-time link opens a session in coplan. It works only once.",
		"login.button":                   "Log in",
		"login.invalid":                  "This login link is unknown, used or expired. Ask your administrator for a new one.",
		"home.title":                     "Welcome to coplan",
		"home.role":                      "You are logged in as",
		"home.next":                      "Next",
		"home.api":                       "API description (OpenAPI)",
		"logout":                         "Log out",
		"logout.done":                    "You are logged out.",
		"role.admin":                     "administrator",
		"role.coordinator":               "coordinator",
		"role.nurse":                     "youth health nurse",
		"role.location":                  "COA location staff",
		"error.title":                    "Something went wrong",
		"error.home":                     "To the start page",
		"error.Not Found":                "This page does not exist or is no longer available.",
		"error.Unauthorized":             "You are not logged in. Open the login link you were given.",
		"error.Forbidden":                "You may not do this, or the form has expired. Reload the page and try again.",
		"error.Bad Request":              "The data is not right.",
		"error.Request Entity Too Large": "The request is too large.",
	},
}

// translate returns the text of key in lang, falling back to Dutch, then the key.
func translate(lang, key string) string {
	if m, ok := messages[lang][key]; ok {
		return m
	}
	if m, ok := messages["nl"][key]; ok {
		return m
	}
	return key
}
