package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestExecutionName(t *testing.T) {
	at := time.Date(2023, 6, 23, 9, 58, 11, 0, time.UTC)
	long := strings.Repeat("a", 100)
	tests := []struct {
		name    string
		id      string
		updated time.Time
		want    string
	}{
		{"id and update time", "5c1d8b2e-7a43", at, "5c1d8b2e-7a43-20230623T095811Z"},
		{"update time in another zone is normalised", "p1", at.In(time.FixedZone("CEST", 2*3600)), "p1-20230623T095811Z"},
		{"fractional seconds are kept", "p1", at.Add(127 * time.Millisecond), "p1-20230623T095811_127Z"},
		{"characters a name cannot hold are replaced and the id hashed", "post.a/b", at, "post_a_b-" + shortHash("post.a/b") + "-20230623T095811Z"},
		{"long id is cut and hashed", long, at, strings.Repeat("a", 50) + "-" + shortHash(long) + "-20230623T095811Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := executionName(tt.id, tt.updated)
			assert.Equal(t, tt.want, got)
			assert.True(t, validName(got), "%q is not a valid execution name", got)
		})
	}
}

func TestExecutionNamesOfDistinctIDsDiffer(t *testing.T) {
	at := time.Date(2023, 6, 23, 9, 58, 11, 999999999, time.UTC)
	ids := []string{
		"post.a", "post_a", "post-a", "post/a", "póst-a", "pöst-a",
		strings.Repeat("x", 200) + "1", strings.Repeat("x", 200) + "2",
	}
	seen := map[string]string{}
	for _, id := range ids {
		n := executionName(id, at)
		assert.LessOrEqual(t, len(n), 80, n)
		assert.True(t, validName(n), n)
		if other, ok := seen[n]; ok {
			t.Errorf("%q and %q share the name %q", id, other, n)
		}
		seen[n] = id
	}
}

func TestExecutionARNPrefix(t *testing.T) {
	tests := []struct {
		arn, want string
		ok        bool
	}{
		{"arn:aws:states:eu-west-1:123456789012:stateMachine:blog", "arn:aws:states:eu-west-1:123456789012:execution:blog:", true},
		{"arn:aws:states:eu-west-1:123456789012:stateMachine:blog:3", "arn:aws:states:eu-west-1:123456789012:execution:blog:", true},
		{"arn:aws-cn:states:cn-north-1:123456789012:stateMachine:blog:prod", "arn:aws-cn:states:cn-north-1:123456789012:execution:blog:", true},
		{"arn:aws:states:eu-west-1:123456789012:activity:blog", "", false},
		{"arn:aws:states:eu-west-1:123456789012:stateMachine:", "", false},
		{"blog", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.arn, func(t *testing.T) {
			got, ok := executionARNPrefix(tt.arn)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}
