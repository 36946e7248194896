package main

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Defaults for the optional environment variables.
const (
	defaultSecretID         = "sanity-cms"
	defaultSanityAPIVersion = "2022-11-16"
	defaultSignatureMaxAge  = 5 * time.Minute
)

// config is the function's settings from its environment.
type config struct {
	stateMachineARN string
	secretID        string
	// sanityAPIURL is the query API's base URL; empty means the project's
	// own host, known only once the secret names the project.
	sanityAPIURL     string
	sanityAPIVersion string
	signatureMaxAge  time.Duration
	siteURL          string
}

// loadConfig reads the settings with getenv. Every problem is reported
// together, so one deploy fixes them all.
func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		stateMachineARN:  strings.TrimSpace(getenv("STATE_MACHINE_ARN")),
		secretID:         orDefault(getenv("SANITY_SECRET_ID"), defaultSecretID),
		sanityAPIURL:     strings.TrimRight(strings.TrimSpace(getenv("SANITY_API_URL")), "/"),
		sanityAPIVersion: strings.TrimPrefix(orDefault(getenv("SANITY_API_VERSION"), defaultSanityAPIVersion), "v"),
		signatureMaxAge:  defaultSignatureMaxAge,
		siteURL:          strings.TrimRight(strings.TrimSpace(getenv("SITE_URL")), "/"),
	}
	var errs []error
	if c.stateMachineARN == "" {
		errs = append(errs, errors.New("STATE_MACHINE_ARN is not set"))
	} else if _, ok := executionARNPrefix(c.stateMachineARN); !ok {
		errs = append(errs, fmt.Errorf("STATE_MACHINE_ARN %q is not a state machine ARN", c.stateMachineARN))
	}
	if v := strings.TrimSpace(getenv("SIGNATURE_MAX_AGE")); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("SIGNATURE_MAX_AGE %q is not a positive duration such as 5m", v))
		}
		c.signatureMaxAge = d
	}
	if c.sanityAPIURL != "" && !isHTTPURL(c.sanityAPIURL) {
		errs = append(errs, fmt.Errorf("SANITY_API_URL %q is not an http(s) URL", c.sanityAPIURL))
	}
	if !isAPIVersion(c.sanityAPIVersion) {
		errs = append(errs, fmt.Errorf("SANITY_API_VERSION %q is not a date such as 2022-11-16, 1 or X", c.sanityAPIVersion))
	}
	if c.siteURL != "" && !isHTTPURL(c.siteURL) {
		errs = append(errs, fmt.Errorf("SITE_URL %q is not an http(s) URL", c.siteURL))
	}
	return c, errors.Join(errs...)
}

func orDefault(v, def string) string {
	if v = strings.TrimSpace(v); v != "" {
		return v
	}
	return def
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.RawQuery == "" && u.Fragment == ""
}

// isAPIVersion reports whether v names a Sanity API version: a date, "1" or
// "X" (the experimental one).
func isAPIVersion(v string) bool {
	if v == "1" || v == "X" {
		return true
	}
	_, err := time.Parse(time.DateOnly, v)
	return err == nil
}
