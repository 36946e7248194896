package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// signatureHeader is the header Sanity signs webhook deliveries with.
const signatureHeader = "sanity-webhook-signature"

// maxClockSkew is how far in the future a signature may be dated: clocks
// drift a little, but a delivery signed for later is being replayed early.
const maxClockSkew = time.Minute

// unauthorized reports a delivery whose signature is missing, malformed,
// stale or wrong. Reason is safe to show the caller: it never quotes the
// header or the secret.
type unauthorized struct{ reason string }

func (e *unauthorized) Error() string { return "unauthorized: " + e.reason }

// signature is a parsed sanity-webhook-signature header:
// "t=<unix milliseconds>,v1=<base64url HMAC-SHA256>".
type signature struct {
	timestamp string // as sent: the signed payload starts with it verbatim
	at        time.Time
	macs      [][]byte
}

// readSignature finds and parses the signature header and checks that it is
// fresh. It needs no secret, so a delivery that fails here costs no Secrets
// Manager call.
func readSignature(req events.APIGatewayProxyRequest, now time.Time, maxAge time.Duration) (signature, error) {
	h, err := singleHeader(req, signatureHeader)
	if err != nil {
		return signature{}, err
	}
	sig, err := parseSignature(h)
	if err != nil {
		return signature{}, err
	}
	switch age := now.Sub(sig.at); {
	case age > maxAge:
		return signature{}, &unauthorized{fmt.Sprintf("signature is older than %s", maxAge)}
	case -age > maxClockSkew:
		return signature{}, &unauthorized{"signature is dated in the future"}
	}
	return sig, nil
}

// singleHeader returns the one value of the header name, looked up without
// regard to case in both header maps API Gateway fills. Two different values
// are refused rather than one picked: which one a map yields first is
// arbitrary.
func singleHeader(req events.APIGatewayProxyRequest, name string) (string, error) {
	var value string
	found := false
	see := func(v string) error {
		if found && v != value {
			return &unauthorized{"more than one " + name + " header"}
		}
		value, found = v, true
		return nil
	}
	for k, v := range req.Headers {
		if strings.EqualFold(k, name) {
			if err := see(v); err != nil {
				return "", err
			}
		}
	}
	for k, vs := range req.MultiValueHeaders {
		if strings.EqualFold(k, name) {
			for _, v := range vs {
				if err := see(v); err != nil {
					return "", err
				}
			}
		}
	}
	if !found || strings.TrimSpace(value) == "" {
		return "", &unauthorized{"missing " + name + " header"}
	}
	return value, nil
}

// parseSignature parses "t=<ms>,v1=<sig>[,v1=<sig>...]", with commas or
// spaces between the fields as Sanity's own toolkit accepts. Several v1
// values are accepted, as during a secret rotation; unknown fields are
// ignored so a future scheme can be added alongside.
func parseSignature(h string) (signature, error) {
	malformed := &unauthorized{"malformed " + signatureHeader + " header"}
	var sig signature
	for _, part := range strings.FieldsFunc(h, func(r rune) bool { return r == ',' || r == ' ' }) {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return signature{}, malformed
		}
		switch k {
		case "t":
			if sig.timestamp != "" || !isMillis(v) {
				return signature{}, malformed
			}
			sig.timestamp = v
		case "v1":
			mac, ok := decodeMAC(v)
			if !ok {
				return signature{}, malformed
			}
			sig.macs = append(sig.macs, mac)
		}
	}
	if sig.timestamp == "" || len(sig.macs) == 0 {
		return signature{}, malformed
	}
	var ms int64
	for _, c := range sig.timestamp {
		ms = ms*10 + int64(c-'0')
	}
	sig.at = time.UnixMilli(ms)
	return sig, nil
}

// isMillis reports whether s is a plain decimal number of milliseconds that
// fits comfortably in an int64.
func isMillis(s string) bool {
	if s == "" || len(s) > 15 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// decodeMAC decodes a signature sent as base64url without padding, as Sanity
// sends it, or with padding, or in the standard alphabet.
func decodeMAC(s string) ([]byte, bool) {
	s = strings.TrimRight(s, "=")
	s = strings.NewReplacer("+", "-", "/", "_").Replace(s)
	mac, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(mac) != sha256.Size {
		return nil, false
	}
	return mac, true
}

// matches reports whether one of the signature's MACs is the HMAC-SHA256 of
// "<timestamp>.<body>" under secret, comparing in constant time.
func (s signature) matches(secret string, body []byte) bool {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(s.timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	want := m.Sum(nil)
	ok := false
	for _, mac := range s.macs {
		// Compare every candidate, so timing does not tell which one matched.
		ok = hmac.Equal(mac, want) || ok
	}
	return ok
}
