package envconfig

import (
	"net/url"
	"strings"
)

// BaseURL returns setting name as BaseURL checks it, or def when it is
// unset; an empty def makes the setting optional.
func (r *Reader) BaseURL(name, def string) string {
	raw := r.String(name, def)
	if raw == "" {
		return ""
	}
	u, err := BaseURL(name, raw)
	r.Add(err)
	return u
}

// BaseURL checks raw, the value of setting, as the base URL of an API: http
// or https, with a host, without query or fragment. It returns raw without
// trailing slashes, so paths can be appended as an API reference writes
// them. The value never appears in the error: a URL may carry credentials.
func BaseURL(setting, raw string) (string, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		return "", &Misconfigured{Setting: setting, Reason: "is not an http(s) URL with a host"}
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return "", &Misconfigured{Setting: setting, Reason: "has a query or fragment, which a base URL cannot have"}
	}
	return strings.TrimRight(raw, "/"), nil
}
