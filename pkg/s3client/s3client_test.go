package s3client

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
)

func TestPathStyleIsUsedWhereABucketCannotBeASubdomain(t *testing.T) {
	yes, no := true, false
	tests := []struct {
		name     string
		endpoint string
		force    *bool
		want     bool
	}{
		{"AWS itself", "", nil, false},
		{"custom DNS endpoint", "https://s3.example.com", nil, false},
		{"IPv4 loopback", "http://127.0.0.1:4566", nil, true},
		{"IPv6 loopback", "http://[::1]:4566", nil, true},
		{"private IP", "http://10.0.0.7:9000", nil, true},
		{"localhost", "http://localhost:4566", nil, true},
		{"localhost upper case", "http://LOCALHOST:4566", nil, true},
		{"under .localhost", "http://s3.stepforge.localhost:4566", nil, true},
		{"forced on", "https://minio.internal:9000", &yes, true},
		{"forced off", "http://localhost:4566", &no, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")}
			if tt.endpoint != "" {
				cfg.BaseEndpoint = aws.String(tt.endpoint)
			}
			opts := New(cfg, tt.force).Options()
			assert.Equal(t, tt.want, opts.UsePathStyle)
			assert.True(t, opts.DisableLogOutputChecksumValidationSkipped, "keeps plain-text SDK lines out of the JSON logs")
		})
	}
}
