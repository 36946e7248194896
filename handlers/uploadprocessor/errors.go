package main

import (
	"fmt"
	"strings"
)

// Upload identifies an uploaded object in the words of the rejection messages.
type Upload struct {
	File, Bucket, Region, Time string
}

func (u Upload) details() string {
	return fmt.Sprintf("Details: File %s was uploaded to bucket %s in region %s at %s.", u.File, u.Bucket, u.Region, u.Time)
}

// ProcessingFailed is the seed's demonstration failure, raised for every
// valid event while ALWAYS_FAIL is on.
type ProcessingFailed struct{ Upload }

func (e *ProcessingFailed) Error() string {
	return "Hey, something went wrong with your step function... Please check the latest execution! " + e.details()
}

// EmptyUpload reports an object with no content.
type EmptyUpload struct{ Upload }

func (e *EmptyUpload) Error() string { return "The upload is empty. " + e.details() }

// UploadTooLarge reports an object larger than MAX_BYTES.
type UploadTooLarge struct {
	Upload
	Limit int64
}

func (e *UploadTooLarge) Error() string {
	return fmt.Sprintf("The upload is larger than the limit of %d bytes. %s", e.Limit, e.details())
}

// NotText reports an object that is not UTF-8 text.
type NotText struct {
	Upload
	Reason string
}

func (e *NotText) Error() string {
	return fmt.Sprintf("The upload is not UTF-8 text: %s. %s", e.Reason, e.details())
}

// UploadNotFound reports an object, or bucket, that S3 does not have: it was
// deleted before it could be read, or the key cannot be resolved.
type UploadNotFound struct {
	Upload
	Err error
}

func (e *UploadNotFound) Error() string {
	return fmt.Sprintf("The upload is not in S3 any more: %s. %s", cause(e.Err), e.details())
}

func (e *UploadNotFound) Unwrap() error { return e.Err }

// FetchFailed reports that the object could not be read for any other reason:
// access denied, S3 unavailable after the SDK's own retries, a broken
// connection. A retry may help unless the cause is access.
type FetchFailed struct {
	Upload
	Err error
}

func (e *FetchFailed) Error() string {
	return fmt.Sprintf("The upload could not be read from S3: %s. %s", cause(e.Err), e.details())
}

func (e *FetchFailed) Unwrap() error { return e.Err }

// cause renders err to go inside a sentence of ours: S3's messages end with a
// full stop already.
func cause(err error) string {
	if err == nil {
		return "unknown cause"
	}
	return strings.TrimRight(err.Error(), ".")
}
