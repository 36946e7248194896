package main

import "strings"

// Event is the EventBridge event S3 sends when an object is created in a
// bucket with EventBridge notifications on.
type Event struct {
	Version    string `json:"version"`
	ID         string `json:"id"`
	DetailType string `json:"detail-type"`
	Source     string `json:"source"`
	Account    string `json:"account"`
	// Time stays the string that was sent: messages quote it as it came.
	Time      string        `json:"time"`
	Region    string        `json:"region"`
	Resources []string      `json:"resources"`
	Detail    ObjectCreated `json:"detail"`
}

// ObjectCreated is the detail of an "Object Created" event.
type ObjectCreated struct {
	Version         string `json:"version"`
	Bucket          Bucket `json:"bucket"`
	Object          Object `json:"object"`
	RequestID       string `json:"request-id"`
	Requester       string `json:"requester"`
	SourceIPAddress string `json:"source-ip-address"`
	Reason          string `json:"reason"`
}

// Bucket names the bucket the object was created in.
type Bucket struct {
	Name string `json:"name"`
}

// Object describes the created object. Key may arrive URL-encoded.
type Object struct {
	Key       string `json:"key"`
	Size      int64  `json:"size"`
	ETag      string `json:"etag"`
	VersionID string `json:"version-id,omitempty"`
	Sequencer string `json:"sequencer"`
}

// Validate accepts only S3 "Object Created" events that name a bucket and a
// key: anything else reaching this function is a wiring mistake upstream.
func (e *Event) Validate() error {
	var problems []string
	if e.Source != "aws.s3" {
		problems = append(problems, `source is "`+e.Source+`", want "aws.s3"`)
	}
	if e.DetailType != "Object Created" {
		problems = append(problems, `detail-type is "`+e.DetailType+`", want "Object Created"`)
	}
	if e.Detail.Bucket.Name == "" {
		problems = append(problems, "detail.bucket.name is missing")
	}
	if e.Detail.Object.Key == "" {
		problems = append(problems, "detail.object.key is missing")
	}
	if len(problems) > 0 {
		return &InvalidEvent{Problems: problems}
	}
	return nil
}

// upload names the event's object the way every rejection reports it.
func (e *Event) upload() Upload {
	return Upload{File: e.Detail.Object.Key, Bucket: e.Detail.Bucket.Name, Region: e.Region, Time: e.Time}
}

// InvalidEvent reports an event that is not an S3 "Object Created" event
// naming a bucket and a key.
type InvalidEvent struct {
	Problems []string
}

func (e *InvalidEvent) Error() string { return "invalid event: " + strings.Join(e.Problems, "; ") }
