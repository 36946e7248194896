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
	run.Catch = []asl.Catcher{{ErrorEquals: []string{asl.ErrorAll}, ResultPath: "$.error", Next: "ReadCause"}}
	run.End = true

	// The alarm mail is the processor's own message (file, bucket, region,
	// time and what was wrong), not the JSON envelope Lambda wraps it in;
	// its subject names the file. SNS refuses a subject that is not ASCII or
	// is 100 characters or longer, so when publishing fails it is tried once
	// more under a fixed subject rather than losing the alarm (a failure
	// that is not the subject's fails that attempt too, and the execution).
	publish := workflow.Publish("PublishCause", topic, "$.alarm.message")
	publish.Parameters["Subject.$"] = "States.Format('Upload failed: {}', $.detail.object.key)"
	publish.Parameters["MessageAttributes"] = asl.Object{
		"errorType": asl.Object{"DataType": "String", "StringValue.$": "$.alarm.errorType"},
	}
	publish.ResultPath = "$.published"
	publish.Catch = []asl.Catcher{{ErrorEquals: []string{asl.ErrorTaskFailed}, ResultPath: "$.publishError", Next: "PublishCauseUnderPlainSubject"}}
	publish.Next = "TaskFailed"
	plain := workflow.Publish("PublishCauseUnderPlainSubject", topic, "$.alarm.message")
	plain.Parameters["Subject"] = "Upload failed"
	plain.Parameters["MessageAttributes"] = publish.Parameters["MessageAttributes"]
	plain.ResultPath = "$.published"
	plain.Next = "TaskFailed"

	states := asl.States{
		run,
		&asl.Choice{
			Name:    "ReadCause",
			Comment: "A function's error arrives as its JSON envelope; anything else (a Lambda service error, a timeout) as text.",
			Choices: []asl.ChoiceRule{
				asl.And(asl.IsPresent("$.error.Cause", true), asl.IsString("$.error.Cause", true), asl.StringMatches("$.error.Cause", "{*}")).Then("ParseFunctionError"),
				asl.And(asl.IsPresent("$.error.Cause", true), asl.IsString("$.error.Cause", true)).Then("UseCauseAsIs"),
			},
			Default: "UseErrorName",
		},
		&asl.Pass{
			Name:       "ParseFunctionError",
			Parameters: asl.Object{"envelope.$": "States.StringToJson($.error.Cause)"},
			ResultPath: "$.parsed",
			Next:       "FunctionErrorMessage",
		},
		&asl.Pass{
			Name:       "FunctionErrorMessage",
			Parameters: asl.Object{"message.$": "$.parsed.envelope.errorMessage", "errorType.$": "$.error.Error"},
			ResultPath: "$.alarm",
			Next:       "PublishCause",
		},
		&asl.Pass{
			Name:       "UseCauseAsIs",
			Parameters: asl.Object{"message.$": "States.Format('Processing {} failed with {}: {}', $.detail.object.key, $.error.Error, $.error.Cause)", "errorType.$": "$.error.Error"},
			ResultPath: "$.alarm",
			Next:       "PublishCause",
		},
		&asl.Pass{
			Name:       "UseErrorName",
			Parameters: asl.Object{"message.$": "States.Format('Processing {} failed with {}', $.detail.object.key, $.error.Error)", "errorType.$": "$.error.Error"},
			ResultPath: "$.alarm",
			Next:       "PublishCause",
		},
		publish,
		plain,
		&asl.Fail{Name: "TaskFailed", Error: "UploadProcessingFailed", CausePath: "$.alarm.message"},
	}

	machine := &workflow.StateMachine{
		Name: "UploadAlarm",
		Type: workflow.Standard,
		Definition: &asl.StateMachine{
			Comment: "Processes an uploaded .txt file; when processing fails, publishes the cause to the alarm topic and fails.",
			StartAt: "ProcessUpload",
			States:  states,
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
