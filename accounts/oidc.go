package accounts

// SSO is single sign-on through an OpenID Connect provider (filled in by
// the next step).
type SSO struct{}
