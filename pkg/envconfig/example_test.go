package envconfig_test

import (
	"fmt"

	"github.com/stepforge/stepforge/pkg/envconfig"
)

func Example() {
	env := envconfig.New(envconfig.Map(map[string]string{
		"API_URL":   "https://api.example/v1/",
		"PUBLISHED": "maybe",
	}))
	apiURL := env.BaseURL("API_URL", "https://api.example")
	published := env.Bool("PUBLISHED", true)
	secretID := env.Required("SECRET_ID")

	fmt.Println(apiURL, published, secretID == "")
	// The handler keeps this and fails every invocation with it.
	fmt.Println(env.Err())
	// Output:
	// https://api.example/v1 true true
	// PUBLISHED "maybe" is neither true nor false
}
