package rules_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/rules"
)

// docEvent is the example event of EventBridge's "Event patterns" and
// "Content filtering" pages, with the fields their examples filter on.
const docEvent = `{
  "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
  "account": "111122223333", "time": "2017-12-22T18:43:48Z", "region": "us-west-1",
  "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  "detail": {
    "instance-id": "i-1234567890abcdef0", "state": "terminated",
    "c-count": 5, "d-count": 3.0e2, "x-limit": 301.8, "enabled": true, "nothing": null,
    "source-ip": "10.0.0.123", "ipv6": "2001:db8::1",
    "filename": "image.png", "eventName": "ConsoleLogin",
    "location": "us-east-1a", "tags": ["prod", "web"],
    "items": [{"name": "a", "qty": 1}, {"name": "b", "qty": 20}],
    "path": "dir/sub*dir/file.txt"
  }
}`

func TestMatchFollowsTheEventPatternLanguage(t *testing.T) {
	cases := []struct {
		name, pattern string
		want          bool
	}{
		{"exact source", `{"source":["aws.ec2"]}`, true},
		{"another source", `{"source":["aws.s3"]}`, false},
		{"array is OR", `{"source":["aws.s3","aws.ec2"]}`, true},
		{"several fields are AND", `{"source":["aws.ec2"],"detail-type":["Object Created"]}`, false},
		{"nested field", `{"detail":{"state":["terminated"]}}`, true},
		{"missing field", `{"detail":{"colour":["red"]}}`, false},
		{"event array intersects", `{"resources":["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0","x"]}`, true},
		{"event array of strings", `{"detail":{"tags":["web"]}}`, true},
		{"event array without the value", `{"detail":{"tags":["dev"]}}`, false},
		{"array of objects flattened", `{"detail":{"items":{"name":["b"]}}}`, true},
		{"number compared as number", `{"detail":{"d-count":[300]}}`, true},
		{"integer as float", `{"detail":{"c-count":[5.0]}}`, true},
		{"number is not its string", `{"detail":{"c-count":["5"]}}`, false},
		{"boolean", `{"detail":{"enabled":[true]}}`, true},
		{"boolean false", `{"detail":{"enabled":[false]}}`, false},
		{"null", `{"detail":{"nothing":[null]}}`, true},
		{"null is not missing", `{"detail":{"colour":[null]}}`, false},
		{"prefix", `{"time":[{"prefix":"2017-12-22"}]}`, true},
		{"prefix no", `{"time":[{"prefix":"2018"}]}`, false},
		{"prefix ignoring case", `{"detail":{"eventName":[{"prefix":{"equals-ignore-case":"consolel"}}]}}`, true},
		{"suffix", `{"detail":{"filename":[{"suffix":".png"}]}}`, true},
		{"suffix no", `{"detail":{"filename":[{"suffix":".PNG"}]}}`, false},
		{"suffix ignoring case", `{"detail":{"filename":[{"suffix":{"equals-ignore-case":".PNG"}}]}}`, true},
		{"equals-ignore-case", `{"detail":{"state":[{"equals-ignore-case":"TERMINATED"}]}}`, true},
		{"anything-but string", `{"detail":{"state":[{"anything-but":"initializing"}]}}`, true},
		{"anything-but same string", `{"detail":{"state":[{"anything-but":"terminated"}]}}`, false},
		{"anything-but list", `{"detail":{"state":[{"anything-but":["stopped","terminated"]}]}}`, false},
		{"anything-but number", `{"detail":{"c-count":[{"anything-but":[4,6]}]}}`, true},
		{"anything-but number equal", `{"detail":{"c-count":[{"anything-but":5}]}}`, false},
		{"anything-but missing field", `{"detail":{"colour":[{"anything-but":"red"}]}}`, false},
		{"anything-but prefix", `{"detail":{"state":[{"anything-but":{"prefix":"init"}}]}}`, true},
		{"anything-but prefix matching", `{"detail":{"state":[{"anything-but":{"prefix":"term"}}]}}`, false},
		{"anything-but prefix list", `{"detail":{"state":[{"anything-but":{"prefix":["init","term"]}}]}}`, false},
		{"anything-but suffix", `{"detail":{"filename":[{"anything-but":{"suffix":".txt"}}]}}`, true},
		{"anything-but suffix list", `{"detail":{"filename":[{"anything-but":{"suffix":[".txt",".png"]}}]}}`, false},
		{"anything-but ignoring case", `{"detail":{"state":[{"anything-but":{"equals-ignore-case":["TERMINATED"]}}]}}`, false},
		{"anything-but wildcard", `{"detail":{"filename":[{"anything-but":{"wildcard":"*.txt"}}]}}`, true},
		{"anything-but wildcard matching", `{"detail":{"filename":[{"anything-but":{"wildcard":["*.png"]}}]}}`, false},
		{"numeric range", `{"detail":{"c-count":[{"numeric":[">",0,"<=",5]}]}}`, true},
		{"numeric out of range", `{"detail":{"x-limit":[{"numeric":[">",0,"<",300]}]}}`, false},
		{"numeric equal", `{"detail":{"d-count":[{"numeric":["=",300]}]}}`, true},
		{"numeric on a string", `{"detail":{"state":[{"numeric":[">",0]}]}}`, false},
		{"numeric on an array", `{"detail":{"items":{"qty":[{"numeric":[">=",10]}]}}}`, true},
		{"exists", `{"detail":{"state":[{"exists":true}]}}`, true},
		{"exists on a missing field", `{"detail":{"colour":[{"exists":true}]}}`, false},
		{"not exists", `{"detail":{"colour":[{"exists":false}]}}`, true},
		{"not exists on a present field", `{"detail":{"state":[{"exists":false}]}}`, false},
		{"exists is for leaves", `{"detail":[{"exists":true}]}`, false},
		{"not exists under a missing object", `{"other":{"x":[{"exists":false}]}}`, true},
		{"wildcard", `{"detail":{"path":[{"wildcard":"dir/*/file.txt"}]}}`, true},
		{"wildcard escaped star", `{"detail":{"path":[{"wildcard":"dir/sub\\*dir/*"}]}}`, true},
		{"wildcard escaped star is literal", `{"detail":{"filename":[{"wildcard":"image\\*"}]}}`, false},
		{"wildcard several stars", `{"detail":{"path":[{"wildcard":"d*sub*file*"}]}}`, true},
		{"wildcard no", `{"detail":{"path":[{"wildcard":"*.png"}]}}`, false},
		{"cidr", `{"detail":{"source-ip":[{"cidr":"10.0.0.0/24"}]}}`, true},
		{"cidr no", `{"detail":{"source-ip":[{"cidr":"10.0.1.0/24"}]}}`, false},
		{"cidr ipv6", `{"detail":{"ipv6":[{"cidr":"2001:db8::/32"}]}}`, true},
		{"$or", `{"$or":[{"detail":{"c-count":[{"numeric":[">",10]}]}},{"detail":{"state":["terminated"]}}]}`, true},
		{"$or none", `{"$or":[{"detail":{"c-count":[{"numeric":[">",10]}]}},{"detail":{"state":["running"]}}]}`, false},
		{"$or with fields", `{"source":["aws.ec2"],"$or":[{"region":["us-west-1"]},{"account":["1"]}]}`, true},
		{"nested $or", `{"detail":{"$or":[{"state":["running"]},{"location":[{"prefix":"us-east"}]}]}}`, true},
		{"several filters on one field", `{"detail":{"state":[{"prefix":"run"},"terminated"]}}`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := rules.Match(c.pattern, []byte(docEvent))
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
		})
	}
}

func TestMatchRefusesWhatPutRuleRefuses(t *testing.T) {
	for _, p := range []string{
		`{"source":"aws.s3"}`, `[]`, `{"a":[]}`, `{"a":[{"prefix":1}]}`, `{"a":[{"numeric":[">","x"]}]}`,
		`{"a":[{"bogus":1}]}`, `{"a":[{"prefix":"x","suffix":"y"}]}`, `{"a":[{"cidr":"10.0.0.0"}]}`,
		`{"a":[{"wildcard":"a**"}]}`, `{"a":[{"anything-but":{"nope":"x"}}]}`, `{"$or":[{"a":["x"]}]}`, `{`,
	} {
		_, err := rules.Match(p, []byte(docEvent))
		var le *localcloud.Error
		require.True(t, errors.As(err, &le), "%s: %v", p, err)
		assert.Equal(t, "InvalidEventPatternException", le.Code, p)
		assert.Equal(t, err, rules.ValidatePattern(p), "one parser for both")
	}
	_, err := rules.Match(`{"source":["x"]}`, []byte(`[1]`))
	var le *localcloud.Error
	require.True(t, errors.As(err, &le))
	assert.Equal(t, "ValidationException", le.Code)
}

func FuzzMatch(f *testing.F) {
	f.Add(`{"detail":{"state":[{"anything-but":{"prefix":["a","b"]}}]}}`, docEvent)
	f.Add(`{"$or":[{"a":[{"wildcard":"x*\\*y"}]},{"b":[{"numeric":[">",1,"<",2]}]}]}`, `{"a":"x**y","b":[1.5,{"c":null}]}`)
	f.Add(`{"a":{"b":[{"cidr":"::/0"},{"exists":false},null,true,1e400]}}`, `{"a":[{"b":"::1"},[[{"b":2}]]]}`)
	f.Fuzz(func(t *testing.T, pattern, event string) {
		ok, err := rules.Match(pattern, []byte(event))
		if err != nil && ok {
			t.Fatalf("matched with an error: %v", err)
		}
	})
}
