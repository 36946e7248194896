// Package s3client builds the S3 clients of the handlers: one rule for
// addressing buckets on AWS and on a local endpoint alike.
package s3client

import (
	"net"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// New returns an S3 client for cfg. Unless pathStyle says otherwise, it uses
// path-style requests for an endpoint that is an IP address or a localhost
// name, such as the local cloud's (AWS_ENDPOINT_URL_S3): the SDK would put
// the bucket in front of a localhost host name, which does not resolve.
func New(cfg aws.Config, pathStyle *bool) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		// Objects stored without a checksum (multipart uploads, older
		// clients, some endpoints) would each put a plain-text SDK line in
		// the JSON logs.
		o.DisableLogOutputChecksumValidationSkipped = true
		switch {
		case pathStyle != nil:
			o.UsePathStyle = *pathStyle
		case o.BaseEndpoint != nil && IsLocalEndpoint(*o.BaseEndpoint):
			o.UsePathStyle = true
		}
	})
}

// IsLocalEndpoint reports whether endpoint's host cannot take a bucket name
// as a subdomain: an IP address, localhost or a name under .localhost.
func IsLocalEndpoint(endpoint string) bool {
	u, err := url.Parse(endpoint)
	if err != nil {
		return false
	}
	host := strings.ToLower(u.Hostname())
	return host == "localhost" || strings.HasSuffix(host, ".localhost") || net.ParseIP(host) != nil
}
