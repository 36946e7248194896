package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/golden"
	"github.com/stepforge/stepforge/pkg/middleware/middlewaretest"
)

const bucketPath = "/cdk-simple-workflow-bucket/"

// invoke runs payload through h wrapped in the middleware and returns the
// response and the error a state machine would see (zero on success).
func invoke(t *testing.T, h *handler, payload []byte) ([]byte, messages.InvokeResponse_Error) {
	t.Helper()
	out, ie, _ := middlewaretest.Invoke(t, h.handle, "uploadprocessor", payload)
	return out, ie
}

func decodeSummary(t *testing.T, out []byte) Summary {
	t.Helper()
	var s Summary
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&s), "output %s", out)
	return s
}

func TestATextUploadIsSummarised(t *testing.T) {
	fake := newFakeS3(t)
	out, ierr := invoke(t, &handler{s3: fake.Client()}, middlewaretest.Event(t, "object-created.handmade.json"))
	require.Empty(t, ierr.Type, ierr.Message)

	assert.Equal(t, Summary{
		Bucket:      "cdk-simple-workflow-bucket",
		Key:         "uploads/2023/03/hello.txt",
		Bytes:       90,
		Lines:       3,
		Words:       15,
		ETag:        "34c097c6258ffb6bc9807a758f814a87",
		ContentType: "text/plain",
	}, decodeSummary(t, out))

	assert.Equal(t, []string{"GET " + bucketPath + "uploads/2023/03/hello.txt"}, fake.Targets())
	auth := fake.LastRequest().Header.Get("Authorization")
	assert.True(t, strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKID/"), "request not signed by the SDK: %q", auth)
	assert.Contains(t, auth, "/eu-west-1/s3/aws4_request")
}

// TestAWSsOwnObjectCreatedExampleIsSummarised runs the "Object created"
// example of the S3 User Guide, byte for byte (testdata/SOURCES.md), so that
// at least one event is shaped by AWS rather than by us: it must decode,
// version-id included, and name the object the handler reads.
func TestAWSsOwnObjectCreatedExampleIsSummarised(t *testing.T) {
	payload := middlewaretest.Event(t, "object-created-aws-example.json")
	var e Event
	require.NoError(t, json.Unmarshal(payload, &e))
	require.NoError(t, e.Validate())
	assert.Equal(t, "ca-central-1", e.Region)
	assert.Equal(t, "2021-11-12T00:00:00Z", e.Time)
	assert.Equal(t, Object{
		Key:       "example-key",
		Size:      5,
		ETag:      "b1946ac92492d2347c6235b4d2611184",
		VersionID: "IYV3p45BT0ac8hjHg1houSdS1a.Mro8e",
		Sequencer: "617f08299329d189",
	}, e.Detail.Object)

	fake := newFakeS3(t)
	out, ierr := invoke(t, &handler{s3: fake.Client()}, payload)
	require.Empty(t, ierr.Type, ierr.Message)
	assert.Equal(t, Summary{
		Bucket:      "amzn-s3-demo-bucket1",
		Key:         "example-key",
		Bytes:       6,
		Lines:       1,
		Words:       1,
		ETag:        "b1946ac92492d2347c6235b4d2611184",
		ContentType: "text/plain",
	}, decodeSummary(t, out))
	assert.Equal(t, []string{"GET /amzn-s3-demo-bucket1/example-key"}, fake.Targets())
}

func TestAURLEncodedKeyIsTriedAsGivenThenDecoded(t *testing.T) {
	fake := newFakeS3(t)
	out, ierr := invoke(t, &handler{s3: fake.Client()}, middlewaretest.Event(t, "object-created-encoded-key.handmade.json"))
	require.Empty(t, ierr.Type, ierr.Message)

	s := decodeSummary(t, out)
	assert.Equal(t, "uploads/my notes (2).txt", s.Key)
	assert.Equal(t, 17, s.Bytes)
	assert.Equal(t, 3, s.Words)
	assert.Equal(t, []string{
		"GET " + bucketPath + "uploads/my+notes+%282%29.txt",
		"GET " + bucketPath + "uploads/my notes (2).txt",
	}, fake.Targets())
}

func TestAKeyThatReallyHasAPlusIsReadAsGiven(t *testing.T) {
	fake := newFakeS3(t)
	out, ierr := invoke(t, &handler{s3: fake.Client()}, middlewaretest.Event(t, "object-created-plus-in-key.handmade.json"))
	require.Empty(t, ierr.Type, ierr.Message)
	assert.Equal(t, "uploads/c++.txt", decodeSummary(t, out).Key)
	assert.Equal(t, []string{"GET " + bucketPath + "uploads/c++.txt"}, fake.Targets())
}

func TestRejectedUploadsFailWithTypedErrorsNamingTheUpload(t *testing.T) {
	tests := []struct {
		event, wantType, wantReason, file string
		wantRequests                      int
	}{
		{"object-created-empty.handmade.json", "EmptyUpload", "The upload is empty.", "uploads/empty.txt", 1},
		{"object-created-binary.handmade.json", "NotText", "NUL byte at offset 8", "uploads/logo.txt", 1},
		{"object-created-latin1.handmade.json", "NotText", "invalid UTF-8 at offset 3", "uploads/latin1.txt", 1},
		{"object-created-too-large.handmade.json", "UploadTooLarge", "larger than the limit of 1024 bytes", "uploads/big.txt", 1},
		{"object-created-gone.handmade.json", "UploadNotFound", "NoSuchKey", "uploads/gone.txt", 1},
		{"object-created-gone-encoded.handmade.json", "UploadNotFound", "NoSuchKey", "uploads/gone+again.txt", 2},
		{"object-created-access-denied.handmade.json", "FetchFailed", "AccessDenied", "uploads/secret.txt", 1},
		{"object-created-s3-error.handmade.json", "FetchFailed", "InternalError", "uploads/flaky.txt", 1},
	}
	for _, tt := range tests {
		t.Run(tt.event, func(t *testing.T) {
			fake := newFakeS3(t)
			out, ierr := invoke(t, &handler{s3: fake.Client(), settings: settings{maxBytes: 1024}}, middlewaretest.Event(t, tt.event))
			assert.Nil(t, out)
			assert.Equal(t, tt.wantType, ierr.Type, ierr.Message)
			assert.Contains(t, ierr.Message, tt.wantReason)
			assert.True(t, strings.HasSuffix(ierr.Message,
				"Details: File "+tt.file+" was uploaded to bucket cdk-simple-workflow-bucket in region eu-west-1 at 2023-03-10T19:33:14Z."),
				ierr.Message)
			assert.Len(t, fake.Targets(), tt.wantRequests)
		})
	}
}

func TestTheSizeLimitIsInclusive(t *testing.T) {
	tests := []struct {
		name     string
		event    string
		maxBytes int64
		wantType string
	}{
		{"declared length at the limit", "object-created.handmade.json", 90, ""},
		{"declared length past the limit", "object-created.handmade.json", 89, "UploadTooLarge"},
		{"chunked body at the limit", "object-created-too-large.handmade.json", 2080, ""},
		{"chunked body past the limit", "object-created-too-large.handmade.json", 2079, "UploadTooLarge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakeS3(t)
			_, ierr := invoke(t, &handler{s3: fake.Client(), settings: settings{maxBytes: tt.maxBytes}}, middlewaretest.Event(t, tt.event))
			assert.Equal(t, tt.wantType, ierr.Type, ierr.Message)
		})
	}
}

func TestTheReadLimitCatchesABodyOfUndeclaredLength(t *testing.T) {
	fake := newFakeS3(t)
	obj, err := fake.Client().GetObject(context.Background(), &s3.GetObjectInput{
		Bucket: aws.String("cdk-simple-workflow-bucket"), Key: aws.String("uploads/big.txt"),
	})
	require.NoError(t, err)
	require.NoError(t, obj.Body.Close())
	require.Nil(t, obj.ContentLength, "the chunked reply must come without Content-Length")

	_, ierr := invoke(t, &handler{s3: fake.Client(), settings: settings{maxBytes: 100}}, middlewaretest.Event(t, "object-created-too-large.handmade.json"))
	assert.Equal(t, "UploadTooLarge", ierr.Type)
}

func TestEventsOtherThanObjectCreatedAreInvalidAndReadNothing(t *testing.T) {
	tests := []struct {
		event, wantType, wantMessage string
	}{
		{"object-deleted.handmade.json", "InvalidEvent", `detail-type is "Object Deleted", want "Object Created"`},
		{"wrong-source.handmade.json", "InvalidEvent", `source is "com.example.uploads", want "aws.s3"`},
		{"missing-key.handmade.json", "InvalidEvent", "detail.object.key is missing"},
		{"s3-notification.handmade.json", "InvalidEvent", "detail.bucket.name is missing; detail.object.key is missing"},
		{"malformed.handmade.json", "MalformedInput", "unexpected end of JSON input"},
	}
	for _, tt := range tests {
		t.Run(tt.event, func(t *testing.T) {
			fake := newFakeS3(t)
			out, ierr := invoke(t, &handler{s3: fake.Client()}, middlewaretest.Event(t, tt.event))
			assert.Nil(t, out)
			assert.Equal(t, tt.wantType, ierr.Type)
			assert.Contains(t, ierr.Message, tt.wantMessage)
			assert.Empty(t, fake.Targets())
		})
	}
}

func TestAlwaysFailGivesTheSeedsMessageWithoutReading(t *testing.T) {
	fake := newFakeS3(t)
	out, ierr := invoke(t, &handler{s3: fake.Client(), settings: settings{alwaysFail: true}}, middlewaretest.Event(t, "object-created.handmade.json"))
	assert.Nil(t, out)
	assert.Equal(t, "ProcessingFailed", ierr.Type)
	assert.Equal(t, "Hey, something went wrong with your step function... Please check the latest execution! "+
		"Details: File uploads/2023/03/hello.txt was uploaded to bucket cdk-simple-workflow-bucket in region eu-west-1 at 2023-03-10T19:33:14Z.",
		ierr.Message)
	assert.Empty(t, fake.Targets())
}

func TestSettingsAreReadFromTheEnvironment(t *testing.T) {
	yes, no := true, false
	tests := []struct {
		name string
		env  map[string]string
		want settings
	}{
		{"defaults", nil, settings{}},
		{"limit", map[string]string{"MAX_BYTES": "2048"}, settings{maxBytes: 2048}},
		{"always fail", map[string]string{"ALWAYS_FAIL": "TRUE"}, settings{alwaysFail: true}},
		{"not always fail", map[string]string{"ALWAYS_FAIL": "0"}, settings{}},
		{"path style on", map[string]string{"S3_USE_PATH_STYLE": "true"}, settings{pathStyle: &yes}},
		{"path style off", map[string]string{"S3_USE_PATH_STYLE": " false "}, settings{pathStyle: &no}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := loadSettings(func(k string) string { return tt.env[k] })
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	assert.EqualValues(t, defaultMaxBytes, settings{}.limit())
}

func TestUnusableSettingsAreMisconfiguredAtCallTime(t *testing.T) {
	tests := []struct {
		setting, value string
	}{
		{"MAX_BYTES", "1MiB"},
		{"MAX_BYTES", "0"},
		{"MAX_BYTES", "-5"},
		{"ALWAYS_FAIL", "yes please"},
		{"S3_USE_PATH_STYLE", "maybe"},
	}
	for _, tt := range tests {
		t.Run(tt.setting+"="+tt.value, func(t *testing.T) {
			_, err := loadSettings(func(k string) string {
				if k == tt.setting {
					return tt.value
				}
				return ""
			})
			require.Error(t, err)

			fake := newFakeS3(t)
			out, ierr := invoke(t, &handler{s3: fake.Client(), misconfigured: err}, middlewaretest.Event(t, "object-created.handmade.json"))
			assert.Nil(t, out)
			assert.Equal(t, "Misconfigured", ierr.Type)
			assert.Contains(t, ierr.Message, tt.setting)
			assert.Empty(t, fake.Targets())
		})
	}
}

func TestTextIsCountedLikeAnEditorAndWc(t *testing.T) {
	tests := []struct {
		text         string
		lines, words int
	}{
		{"one", 1, 1},
		{"one\n", 1, 1},
		{"one\ntwo", 2, 2},
		{"\n\n", 2, 0},
		{"  spaced\tout  words \r\n", 1, 3},
		{"Grüße aus Köln\u00a0und\u2003Wien\n", 1, 5},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			lines, words := countText([]byte(tt.text))
			assert.Equal(t, tt.lines, lines, "lines")
			assert.Equal(t, tt.words, words, "words")
		})
	}
}

func TestOnlyUTF8WithoutNULIsText(t *testing.T) {
	tests := []struct {
		body, want string
	}{
		{"plain ASCII\n", ""},
		{"ünïcödé ✓ 🍕", ""},
		{"\ufeffwith a byte order mark", ""},
		{"nul\x00inside", "NUL byte at offset 3"},
		{"caf\xe9", "invalid UTF-8 at offset 3"},
		{"ok then \xc3", "invalid UTF-8 at offset 8"},
		{"\xed\xa0\x80 surrogate", "invalid UTF-8 at offset 0"},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			assert.Equal(t, tt.want, notText([]byte(tt.body)))
		})
	}
}

// TestEveryEventFixtureMatchesItsGoldenResponse pins the exact response the
// Runtime API would carry for every event fixture, hand-made or AWS's own
// documented example, with a 1 KiB limit.
func TestEveryEventFixtureMatchesItsGoldenResponse(t *testing.T) {
	for _, name := range middlewaretest.Events(t) {
		t.Run(name, func(t *testing.T) {
			fake := newFakeS3(t)
			out, ierr := invoke(t, &handler{s3: fake.Client(), settings: settings{maxBytes: 1024}}, middlewaretest.Event(t, name))
			golden.Assert(t, goldenPath(name), append(middlewaretest.Response(t, out, ierr), '\n'))
		})
	}
}

// goldenPath names the golden file of event fixture testdata/name after the
// case alone: ".handmade" says where the event comes from, not what the
// function answers, so it is dropped with the extension.
func goldenPath(name string) string {
	return filepath.Join("testdata", "golden", strings.TrimSuffix(strings.TrimSuffix(name, ".json"), ".handmade")+".golden")
}
