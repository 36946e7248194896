package main

import (
	"fmt"
	"strconv"
	"strings"
)

// defaultMaxBytes keeps a whole upload comfortably in the memory of the
// smallest Lambda size.
const defaultMaxBytes = 1 << 20

type settings struct {
	// maxBytes is the largest upload accepted; zero means defaultMaxBytes.
	maxBytes   int64
	alwaysFail bool
	// pathStyle forces path-style S3 requests on or off; nil decides from
	// the endpoint.
	pathStyle *bool
}

func (c settings) limit() int64 {
	if c.maxBytes > 0 {
		return c.maxBytes
	}
	return defaultMaxBytes
}

// loadSettings reads the settings. A bad one is returned as Misconfigured for
// the handler to report on each call, so a deployment mistake fails the
// executions with a name a Catch can match instead of the cold start.
func loadSettings(getenv func(string) string) (settings, error) {
	var c settings
	if v := strings.TrimSpace(getenv("MAX_BYTES")); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return c, &Misconfigured{Setting: "MAX_BYTES", Reason: fmt.Sprintf("%q is not a positive number of bytes", v)}
		}
		c.maxBytes = n
	}
	if v := strings.TrimSpace(getenv("ALWAYS_FAIL")); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return c, &Misconfigured{Setting: "ALWAYS_FAIL", Reason: fmt.Sprintf("%q is not true or false", v)}
		}
		c.alwaysFail = b
	}
	if v := strings.TrimSpace(getenv("S3_USE_PATH_STYLE")); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return c, &Misconfigured{Setting: "S3_USE_PATH_STYLE", Reason: fmt.Sprintf("%q is not true or false", v)}
		}
		c.pathStyle = &b
	}
	return c, nil
}
