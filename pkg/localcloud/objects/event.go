package objects

import (
	"crypto/rand"
	"encoding/json"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// eventDetail is the detail of S3's "Object Created" EventBridge event.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html
type eventDetail struct {
	Version string `json:"version"`
	Bucket  struct {
		Name string `json:"name"`
	} `json:"bucket"`
	Object struct {
		Key       string `json:"key"`
		Size      int64  `json:"size"`
		ETag      string `json:"etag"`
		VersionID string `json:"version-id,omitempty"`
		Sequencer string `json:"sequencer"`
	} `json:"object"`
	RequestID       string `json:"request-id"`
	Requester       string `json:"requester"`
	SourceIPAddress string `json:"source-ip-address"`
	Reason          string `json:"reason"`
}

type eventEnvelope struct {
	Version    string      `json:"version"`
	ID         string      `json:"id"`
	DetailType string      `json:"detail-type"`
	Source     string      `json:"source"`
	Account    string      `json:"account"`
	Time       string      `json:"time"`
	Region     string      `json:"region"`
	Resources  []string    `json:"resources"`
	Detail     eventDetail `json:"detail"`
}

// Event is the EventBridge event S3 sends for e from region and account
// (the bucket owner's). The key is given as stored, not URL-encoded:
// only the S3 notification format (Records) encodes keys.
func (e ObjectCreated) Event(region, account string) []byte {
	var d eventDetail
	d.Version = "0"
	d.Bucket.Name = e.Bucket
	d.Object.Key, d.Object.Size, d.Object.ETag = e.Key, e.Size, e.ETag
	d.Object.VersionID, d.Object.Sequencer = e.VersionID, e.Sequencer
	d.RequestID, d.Requester, d.SourceIPAddress, d.Reason = s3RequestID(), e.Requester, e.SourceIP, e.Reason
	at := e.Time
	if at.IsZero() {
		at = time.Now()
	}
	env := eventEnvelope{Version: "0", ID: localcloud.NewID(), DetailType: "Object Created", Source: "aws.s3",
		Account: account, Time: at.UTC().Format(time.RFC3339), Region: region,
		Resources: []string{"arn:aws:s3:::" + e.Bucket}, Detail: d}
	b, _ := json.Marshal(env) // strings and numbers only: it cannot fail
	return b
}

// s3RequestID is an id shaped like S3's x-amz-request-id (16 characters
// of upper-case letters and digits).
func s3RequestID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	var b [16]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:])
}
