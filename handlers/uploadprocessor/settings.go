package main

import "github.com/stepforge/stepforge/pkg/envconfig"

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
	env := envconfig.New(getenv)
	c := settings{
		maxBytes:   env.PositiveInt("MAX_BYTES", 0),
		alwaysFail: env.Bool("ALWAYS_FAIL", false),
	}
	if env.String("S3_USE_PATH_STYLE", "") != "" {
		b := env.Bool("S3_USE_PATH_STYLE", false)
		c.pathStyle = &b
	}
	return c, env.Err()
}
