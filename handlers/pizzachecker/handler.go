package main

import (
	"context"
	"log/slog"
	"strings"
	"unicode"

	"github.com/stepforge/stepforge/pkg/middleware"
)

// Order is the pizza order the workflow receives from its API.
type Order struct {
	Flavour string `json:"flavour"`
}

// Validate rejects an order that names no flavour: a missing, null, empty or
// blank flavour decodes to a string with nothing to look at.
func (o *Order) Validate() error {
	if normalise(o.Flavour) == "" {
		return &InvalidOrder{Reason: "flavour is missing or blank"}
	}
	return nil
}

// InvalidOrder reports an order the kitchen cannot read.
type InvalidOrder struct {
	Reason string
}

func (e *InvalidOrder) Error() string { return "invalid order: " + e.Reason }

// Verdict tells the state machine whether to refuse the order.
type Verdict struct {
	ContainsPineapple bool `json:"containsPineapple"`
}

type handler struct{}

func (h *handler) handle(ctx context.Context, o Order) (Verdict, error) {
	// The middleware validates before calling; checking again keeps handle
	// safe for any other caller at the price of one string scan.
	if err := o.Validate(); err != nil {
		return Verdict{}, err
	}
	v := Verdict{ContainsPineapple: containsPineapple(o.Flavour)}
	middleware.Logger(ctx).InfoContext(ctx, "order checked",
		slog.String("flavour", o.Flavour),
		slog.Bool("containsPineapple", v.ContainsPineapple))
	return v, nil
}

// containsPineapple reports whether a flavour names pineapple in any spelling
// a customer might type: any case, any spacing, or as a hawaiian.
func containsPineapple(flavour string) bool {
	f := normalise(flavour)
	return strings.Contains(f, "pineapple") || strings.Contains(f, "hawaiian")
}

// normalise lower-cases s and drops whitespace and invisible format
// characters (zero-width spaces and joiners), which would otherwise let
// "pine\u200bapple" slip through.
func normalise(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}
