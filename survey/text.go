package survey

import "html"

// unescape turns the entities html/template wrote into the text part back
// into characters: the plain-text body is not HTML.
func unescape(s string) string { return html.UnescapeString(s) }
