package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/stepforge/stepforge/pkg/envconfig"
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
	env := envconfig.New(getenv)
	c := config{stateMachineARN: env.Required("STATE_MACHINE_ARN")}
	if _, ok := executionARNPrefix(c.stateMachineARN); c.stateMachineARN != "" && !ok {
		env.Add(&envconfig.Misconfigured{Setting: "STATE_MACHINE_ARN", Reason: fmt.Sprintf("%q is not a state machine ARN", c.stateMachineARN)})
	}
	c.secretID = env.String("SANITY_SECRET_ID", defaultSecretID)
	c.signatureMaxAge = env.Duration("SIGNATURE_MAX_AGE", defaultSignatureMaxAge)
	c.sanityAPIURL = env.BaseURL("SANITY_API_URL", "")
	c.sanityAPIVersion = strings.TrimPrefix(env.String("SANITY_API_VERSION", defaultSanityAPIVersion), "v")
	if !isAPIVersion(c.sanityAPIVersion) {
		env.Add(&envconfig.Misconfigured{Setting: "SANITY_API_VERSION", Reason: fmt.Sprintf("%q is not a date such as 2022-11-16, 1 or X", c.sanityAPIVersion)})
	}
	c.siteURL = env.BaseURL("SITE_URL", "")
	return c, env.Problems()
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
