package accounts

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// SSOConfig is the organisation's OpenID Connect provider
// (COPLAN_OIDC_ISSUER, COPLAN_OIDC_CLIENT_ID, COPLAN_OIDC_CLIENT_SECRET) and
// where it sends people back to.
type SSOConfig struct {
	Issuer, ClientID, ClientSecret string
	RedirectURL                    string // BaseURL + /login/sso/callback
}

// SSO is single sign-on through an OpenID Connect provider, with the
// authorisation code flow and PKCE. go-oidc verifies the ID token's
// signature, issuer, audience and expiry; SSO checks the nonce and that the
// provider verified the e-mail address, by which the person is matched to a
// coplan user.
type SSO struct {
	verifier *oidc.IDTokenVerifier
	oauth    oauth2.Config
}

// NewSSO reads the provider's discovery document.
func NewSSO(ctx context.Context, c SSOConfig) (*SSO, error) {
	p, err := oidc.NewProvider(ctx, c.Issuer)
	if err != nil {
		return nil, fmt.Errorf("the OpenID Connect provider %s: %w", c.Issuer, err)
	}
	return &SSO{
		verifier: p.Verifier(&oidc.Config{ClientID: c.ClientID}),
		oauth: oauth2.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, Endpoint: p.Endpoint(),
			RedirectURL: c.RedirectURL, Scopes: []string{oidc.ScopeOpenID, "email"}},
	}, nil
}

// Flow is one sign-in in progress: what the browser keeps (in a signed
// cookie) between leaving for the provider and coming back.
type Flow struct {
	State, Nonce, Verifier string
}

// Start begins a sign-in: the provider's address to send the browser to,
// and the flow to keep.
func (s *SSO) Start() (string, Flow) {
	f := Flow{State: random(), Nonce: random(), Verifier: oauth2.GenerateVerifier()}
	return s.oauth.AuthCodeURL(f.State, oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier)), f
}

// Errors of a sign-in that came back, by what the person should hear.
var (
	ErrSSOUnverified = errors.New("accounts: the provider has not verified the e-mail address")
	ErrSSOFailed     = errors.New("accounts: the sign-in at the provider did not succeed")
)

// Finish exchanges the code for the ID token, verifies it and returns the
// verified e-mail address of the person.
func (s *SSO) Finish(ctx context.Context, f Flow, code string) (string, error) {
	tok, err := s.oauth.Exchange(ctx, code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		return "", fmt.Errorf("%w: exchange: %v", ErrSSOFailed, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return "", fmt.Errorf("%w: no ID token", ErrSSOFailed)
	}
	id, err := s.verifier.Verify(ctx, raw)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrSSOFailed, err)
	}
	if id.Nonce != f.Nonce {
		return "", fmt.Errorf("%w: the nonce does not match", ErrSSOFailed)
	}
	var claims struct {
		Email    string `json:"email"`
		Verified bool   `json:"email_verified"`
	}
	if err := id.Claims(&claims); err != nil {
		return "", fmt.Errorf("%w: claims: %v", ErrSSOFailed, err)
	}
	if claims.Email == "" || !claims.Verified {
		return "", ErrSSOUnverified
	}
	return claims.Email, nil
}

func random() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}
