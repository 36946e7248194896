// Package uploadalarm declares the upload alarm workflow (seed 000): a .txt
// file lands in the uploads bucket, EventBridge starts a Standard state
// machine, the processing function reads it, and when processing fails the
// Catch publishes the cause to an SNS topic that emails the address given at
// deploy time; the execution then ends in Fail.
package uploadalarm

import (
	"github.com/stepforge/stepforge/pkg/asl"
	"github.com/stepforge/stepforge/pkg/workflow"
)

// Workflow returns the declaration.
func Workflow() *workflow.Workflow {
	email := &workflow.Parameter{
		Name:           "NotificationEmail",
		Description:    "The email address where error messages are sent to.",
		AllowedPattern: `^[^@\s]+@[^@\s]+\.[^@\s]+$`,
	}
	retention := &workflow.Parameter{
		Name:          "UploadRetentionDays",
		Description:   "Days an upload is kept before S3 deletes it.",
		Type:          "Number",
		Default:       "30",
		AllowedValues: []string{"1", "7", "30", "90", "365"},
	}
	alwaysFail := &workflow.Parameter{
		Name:          "AlwaysFail",
		Description:   "true keeps the original demo behaviour: processing always fails, so every upload raises the alarm.",
		Default:       "false",
		AllowedValues: []string{"true", "false"},
	}
	key := &workflow.Key{Name: "Alarm", Description: "Encrypts the upload alarm topic."}
	bucket := &workflow.Bucket{Name: "Uploads", EventBridge: true, ExpireDays: retention}
	topic := &workflow.Topic{Name: "Alarm", DisplayName: "Topic for Sfn Error Notification", Key: key, EmailFrom: email}
	process := &workflow.Function{
		Name:         "ProcessUpload",
		Handler:      "uploadprocessor",
		Description:  "Reads an uploaded text file and summarises it; fails with a typed error naming file, bucket, region and time.",
		Timeout:      30e9,
		MemoryMB:     256,
		Env:          map[string]workflow.Value{"ALWAYS_FAIL": workflow.Ref(alwaysFail)},
		ReadsBuckets: []*workflow.Bucket{bucket},
	}

	run := workflow.Invoke("ProcessUpload", process)
	run.Catch = []asl.Catcher{{ErrorEquals: []string{asl.ErrorAll}, ResultPath: "$.error", Next: "PublishCause"}}
	run.End = true
	publish := workflow.Publish("PublishCause", topic, "$.error.Cause")
	publish.Next = "TaskFailed"

	machine := &workflow.StateMachine{
		Name: "UploadAlarm",
		Type: workflow.Standard,
		Definition: &asl.StateMachine{
			Comment: "Processes an uploaded .txt file; when processing fails, publishes the cause to the alarm topic and fails.",
			StartAt: "ProcessUpload",
			States: asl.States{
				run,
				publish,
				&asl.Fail{Name: "TaskFailed", Error: "UploadProcessingFailed", Cause: "Processing the upload failed; the cause was published to the alarm topic."},
			},
		},
		Logging: &workflow.Logging{Level: "ERROR", RetentionDays: 30},
		Tracing: true,
	}
	return &workflow.Workflow{
		Name:        "upload-alarm",
		Title:       "Upload alarm",
		Description: "A .txt upload starts a Standard state machine through EventBridge; a processing failure is published to an SNS topic that emails the cause.",
		Seed:        "000-s3-failure-notify",
		Parameters:  []*workflow.Parameter{email, retention, alwaysFail},
		Keys:        []*workflow.Key{key},
		Buckets:     []*workflow.Bucket{bucket},
		Topics:      []*workflow.Topic{topic},
		Functions:   []*workflow.Function{process},
		Machines:    []*workflow.StateMachine{machine},
		Rules:       []*workflow.Rule{{Name: "NewTextObject", Bucket: bucket, KeySuffix: ".txt", Machine: machine}},
	}
}
