package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/stepforge/stepforge/pkg/blog"
	"github.com/stepforge/stepforge/pkg/secrets"
)

// maxRequestBody is the largest request body Hashnode accepts
// (references/errors-and-limits.md in github.com/Hashnode/gql-skill).
const maxRequestBody = 100 << 10

// graphQLError is one entry of a GraphQL reply's errors.
type graphQLError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code string `json:"code"`
	} `json:"extensions"`
}

// operation is one GraphQL request.
type operation struct {
	Query     string `json:"query"`
	Variables any    `json:"variables"`
}

// call sends op with c and decodes the reply's data into data. A failed
// exchange, a status other than 2xx and a body that is not a GraphQL reply
// are typed errors; the GraphQL errors of a readable reply are returned for
// the caller to weigh against the data, since Hashnode reports them with
// HTTP 200 and a mutation may have taken effect in spite of them.
func (h *handler) call(ctx context.Context, c *http.Client, token secrets.Value, op operation, data any) ([]graphQLError, error) {
	req, err := blog.NewJSONRequest(ctx, http.MethodPost, h.apiURL, op)
	if err != nil {
		return nil, fmt.Errorf("Hashnode: %w", err)
	}
	if req.ContentLength > maxRequestBody {
		return nil, &blog.InvalidPost{Reason: fmt.Sprintf("the request to Hashnode would be %d KB; Hashnode accepts at most %d KB", req.ContentLength>>10, maxRequestBody>>10)}
	}
	// Hashnode takes the token with or without a "Bearer " prefix
	// (references/auth-and-roles.md).
	req.Header.Set("Authorization", token.Reveal())
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	resp, body, err := blog.Exchange(c, platform, req)
	if err != nil {
		return nil, err
	}
	reply := struct {
		Data   any            `json:"data"`
		Errors []graphQLError `json:"errors"`
	}{Data: data}
	decodeErr := json.Unmarshal(body, &reply)
	if refusesCredentials(resp.StatusCode, reply.Errors) {
		// A rotated token is then read on the next attempt rather than after
		// the cache's TTL.
		h.creds.Forget()
	}
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return nil, classifyStatus(resp, body, reply.Errors)
	}
	if decodeErr != nil {
		return nil, &blog.PlatformUnavailable{Platform: platform, Status: resp.StatusCode, Reason: fmt.Sprintf("unreadable reply: %v", decodeErr)}
	}
	return reply.Errors, nil
}

// classifyStatus types a reply whose HTTP status is not 2xx. Hashnode's
// GraphQL server (Apollo) answers a query it cannot parse or validate with
// 400, which is the request's fault whatever code the body carries.
func classifyStatus(resp *http.Response, body []byte, errs []graphQLError) error {
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return &blog.PlatformRejected{Platform: platform, Status: resp.StatusCode,
			Reason: fmt.Sprintf("the GraphQL endpoint redirects to %q; set HASHNODE_API_URL to Hashnode's current endpoint", resp.Header.Get("Location"))}
	}
	err := blog.Classify(platform, resp, body)
	if rej, ok := err.(*blog.PlatformRejected); ok && len(errs) > 0 {
		rej.Reason = reasons(errs)
	}
	return err
}

// classifyErrors types the errors of a 200 reply that carries no usable
// data. Hashnode documents five codes (references/errors-and-limits.md):
// UNAUTHENTICATED, FORBIDDEN (which includes a publication without the Pro
// plan), NOT_FOUND and BAD_USER_INPUT are permanent; INTERNAL_SERVER_ERROR,
// which every other failure is collapsed into, is the only transient one.
// Anything else (GRAPHQL_VALIDATION_FAILED, no code) is taken as the
// request's fault, so an unexpected reply is caught rather than retried.
func classifyErrors(errs []graphQLError) error {
	for _, e := range errs {
		if e.Extensions.Code != "INTERNAL_SERVER_ERROR" {
			return &blog.PlatformRejected{Platform: platform, Status: http.StatusOK, Reason: reasons(errs)}
		}
	}
	return &blog.PlatformUnavailable{Platform: platform, Status: http.StatusOK, Reason: reasons(errs)}
}

func refusesCredentials(status int, errs []graphQLError) bool {
	if status == http.StatusUnauthorized || status == http.StatusForbidden {
		return true
	}
	for _, e := range errs {
		switch e.Extensions.Code {
		case "UNAUTHENTICATED", "FORBIDDEN":
			return true
		}
	}
	return false
}

// reasons joins the errors as "CODE: message" for error messages and logs.
func reasons(errs []graphQLError) string {
	parts := make([]string, 0, len(errs))
	for _, e := range errs {
		if e.Extensions.Code != "" {
			parts = append(parts, e.Extensions.Code+": "+e.Message)
		} else {
			parts = append(parts, e.Message)
		}
	}
	return strings.Join(parts, "; ")
}
