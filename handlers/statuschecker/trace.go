package main

import (
	"net/http"

	"github.com/aws/aws-xray-sdk-go/v2/xray"
)

// tracingClient sends a request through an X-Ray instrumented copy of its
// client when the invocation is traced, so the call shows as a subsegment and
// carries the trace header, and through the plain client otherwise, where the
// instrumented one would log a warning for every request.
type tracingClient struct {
	plain, traced *http.Client
}

func newTracingClient(c *http.Client) tracingClient {
	return tracingClient{plain: c, traced: xray.Client(c)}
}

func (c tracingClient) Do(req *http.Request) (*http.Response, error) {
	if xray.GetSegment(req.Context()) != nil {
		return c.traced.Do(req)
	}
	return c.plain.Do(req)
}
