package objects

import (
	"encoding/xml"
	"net/http"
	"strings"
)

// The bucket configuration sub-resources, in S3's REST-XML shapes (the
// same types are stored, as JSON, in the bucket's record).

const xmlns = "http://s3.amazonaws.com/doc/2006-03-01/"

// ServerSideEncryptionConfiguration is a bucket's default encryption.
type ServerSideEncryptionConfiguration struct {
	XMLName xml.Name                   `xml:"ServerSideEncryptionConfiguration" json:"-"`
	Xmlns   string                     `xml:"xmlns,attr,omitempty" json:"-"`
	Rules   []ServerSideEncryptionRule `xml:"Rule"`
}

// ServerSideEncryptionRule is one rule of a default encryption.
type ServerSideEncryptionRule struct {
	ApplyServerSideEncryptionByDefault *ServerSideEncryptionByDefault `xml:"ApplyServerSideEncryptionByDefault,omitempty"`
	BucketKeyEnabled                   *bool                          `xml:"BucketKeyEnabled,omitempty"`
}

// ServerSideEncryptionByDefault names the algorithm (and KMS key).
type ServerSideEncryptionByDefault struct {
	SSEAlgorithm   string `xml:"SSEAlgorithm"`
	KMSMasterKeyID string `xml:"KMSMasterKeyID,omitempty"`
}

// defaultEncryption is what every bucket has unless told otherwise: S3
// encrypts all new objects with SSE-S3 since January 2023.
func defaultEncryption() *ServerSideEncryptionConfiguration {
	f := false
	return &ServerSideEncryptionConfiguration{Rules: []ServerSideEncryptionRule{{
		ApplyServerSideEncryptionByDefault: &ServerSideEncryptionByDefault{SSEAlgorithm: "AES256"},
		BucketKeyEnabled:                   &f,
	}}}
}

// PublicAccessBlockConfiguration is a bucket's public access block.
type PublicAccessBlockConfiguration struct {
	XMLName               xml.Name `xml:"PublicAccessBlockConfiguration" json:"-"`
	Xmlns                 string   `xml:"xmlns,attr,omitempty" json:"-"`
	BlockPublicAcls       bool     `xml:"BlockPublicAcls"`
	IgnorePublicAcls      bool     `xml:"IgnorePublicAcls"`
	BlockPublicPolicy     bool     `xml:"BlockPublicPolicy"`
	RestrictPublicBuckets bool     `xml:"RestrictPublicBuckets"`
}

// NotificationConfiguration is a bucket's event notifications; the local
// cloud delivers to EventBridge only.
type NotificationConfiguration struct {
	XMLName                  xml.Name                  `xml:"NotificationConfiguration" json:"-"`
	Xmlns                    string                    `xml:"xmlns,attr,omitempty" json:"-"`
	TopicConfigurations      []rawElement              `xml:"TopicConfiguration,omitempty" json:"-"`
	QueueConfigurations      []rawElement              `xml:"QueueConfiguration,omitempty" json:"-"`
	LambdaConfigurations     []rawElement              `xml:"CloudFunctionConfiguration,omitempty" json:"-"`
	EventBridgeConfiguration *EventBridgeConfiguration `xml:"EventBridgeConfiguration,omitempty"`
}

// EventBridgeConfiguration, when present, sends the bucket's events to
// EventBridge.
type EventBridgeConfiguration struct{}

type rawElement struct {
	Inner string `xml:",innerxml"`
}

// LifecycleConfiguration is a bucket's lifecycle rules.
type LifecycleConfiguration struct {
	XMLName xml.Name        `xml:"LifecycleConfiguration" json:"-"`
	Xmlns   string          `xml:"xmlns,attr,omitempty" json:"-"`
	Rules   []LifecycleRule `xml:"Rule"`
}

// LifecycleRule is one lifecycle rule.
type LifecycleRule struct {
	ID                             string                          `xml:"ID,omitempty"`
	Prefix                         *string                         `xml:"Prefix,omitempty"`
	Filter                         *LifecycleRuleFilter            `xml:"Filter,omitempty"`
	Status                         string                          `xml:"Status"`
	Expiration                     *LifecycleExpiration            `xml:"Expiration,omitempty"`
	Transitions                    []Transition                    `xml:"Transition,omitempty"`
	NoncurrentVersionTransitions   []NoncurrentVersionTransition   `xml:"NoncurrentVersionTransition,omitempty"`
	NoncurrentVersionExpiration    *NoncurrentVersionExpiration    `xml:"NoncurrentVersionExpiration,omitempty"`
	AbortIncompleteMultipartUpload *AbortIncompleteMultipartUpload `xml:"AbortIncompleteMultipartUpload,omitempty"`
}

// LifecycleRuleFilter selects the objects a rule applies to.
type LifecycleRuleFilter struct {
	Prefix                *string                   `xml:"Prefix,omitempty"`
	Tag                   *Tag                      `xml:"Tag,omitempty"`
	ObjectSizeGreaterThan *int64                    `xml:"ObjectSizeGreaterThan,omitempty"`
	ObjectSizeLessThan    *int64                    `xml:"ObjectSizeLessThan,omitempty"`
	And                   *LifecycleRuleAndOperator `xml:"And,omitempty"`
}

// LifecycleRuleAndOperator combines filter conditions.
type LifecycleRuleAndOperator struct {
	Prefix                *string `xml:"Prefix,omitempty"`
	Tags                  []Tag   `xml:"Tag,omitempty"`
	ObjectSizeGreaterThan *int64  `xml:"ObjectSizeGreaterThan,omitempty"`
	ObjectSizeLessThan    *int64  `xml:"ObjectSizeLessThan,omitempty"`
}

// LifecycleExpiration expires current versions.
type LifecycleExpiration struct {
	Date                      string `xml:"Date,omitempty"`
	Days                      int    `xml:"Days,omitempty"`
	ExpiredObjectDeleteMarker *bool  `xml:"ExpiredObjectDeleteMarker,omitempty"`
}

// Transition moves current versions to another storage class.
type Transition struct {
	Date         string `xml:"Date,omitempty"`
	Days         int    `xml:"Days,omitempty"`
	StorageClass string `xml:"StorageClass"`
}

// NoncurrentVersionTransition moves noncurrent versions.
type NoncurrentVersionTransition struct {
	NoncurrentDays          int    `xml:"NoncurrentDays"`
	StorageClass            string `xml:"StorageClass"`
	NewerNoncurrentVersions int    `xml:"NewerNoncurrentVersions,omitempty"`
}

// NoncurrentVersionExpiration expires noncurrent versions.
type NoncurrentVersionExpiration struct {
	NoncurrentDays          int `xml:"NoncurrentDays"`
	NewerNoncurrentVersions int `xml:"NewerNoncurrentVersions,omitempty"`
}

// AbortIncompleteMultipartUpload aborts uploads left incomplete.
type AbortIncompleteMultipartUpload struct {
	DaysAfterInitiation int `xml:"DaysAfterInitiation"`
}

// Tagging is a bucket's tag set.
type Tagging struct {
	XMLName xml.Name `xml:"Tagging" json:"-"`
	Xmlns   string   `xml:"xmlns,attr,omitempty" json:"-"`
	TagSet  []Tag    `xml:"TagSet>Tag"`
}

// Tag is one key and value.
type Tag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

// OwnershipControls is a bucket's object ownership setting.
type OwnershipControls struct {
	XMLName xml.Name                `xml:"OwnershipControls" json:"-"`
	Xmlns   string                  `xml:"xmlns,attr,omitempty" json:"-"`
	Rules   []OwnershipControlsRule `xml:"Rule"`
}

// OwnershipControlsRule names the object ownership.
type OwnershipControlsRule struct {
	ObjectOwnership string `xml:"ObjectOwnership"`
}

// VersioningConfiguration is a bucket's versioning state: Status is
// "" (never enabled), Enabled or Suspended.
type VersioningConfiguration struct {
	XMLName   xml.Name `xml:"VersioningConfiguration" json:"-"`
	Xmlns     string   `xml:"xmlns,attr,omitempty" json:"-"`
	Status    string   `xml:"Status,omitempty" json:",omitempty"`
	MFADelete string   `xml:"MfaDelete,omitempty" json:",omitempty"`
}

// Validation, as S3 answers a configuration it refuses.

func (c *ServerSideEncryptionConfiguration) validate() error {
	if len(c.Rules) == 0 {
		return malformedXML()
	}
	for _, r := range c.Rules {
		d := r.ApplyServerSideEncryptionByDefault
		if d == nil {
			continue
		}
		switch d.SSEAlgorithm {
		case "AES256":
			if d.KMSMasterKeyID != "" {
				return s3Error("InvalidArgument", http.StatusBadRequest, "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse")
			}
		case "aws:kms", "aws:kms:dsse":
		default:
			return malformedXML()
		}
	}
	return nil
}

func (c *LifecycleConfiguration) validate() error {
	if len(c.Rules) == 0 {
		return malformedXML()
	}
	if len(c.Rules) > 1000 {
		return s3Error("InvalidRequest", http.StatusBadRequest, "The number of lifecycle rules must not exceed the allowed limit of 1000 rules")
	}
	ids := map[string]bool{}
	for _, r := range c.Rules {
		if r.Status != "Enabled" && r.Status != "Disabled" {
			return malformedXML()
		}
		if len(r.ID) > 255 {
			return s3Error("InvalidArgument", http.StatusBadRequest, "ID length should not exceed allowed limit of 255")
		}
		if r.ID != "" {
			if ids[r.ID] {
				return s3Error("InvalidArgument", http.StatusBadRequest, "Rule ID must be unique. Found same ID for more than one rule")
			}
			ids[r.ID] = true
		}
		if r.Expiration == nil && len(r.Transitions) == 0 && len(r.NoncurrentVersionTransitions) == 0 &&
			r.NoncurrentVersionExpiration == nil && r.AbortIncompleteMultipartUpload == nil {
			return s3Error("InvalidRequest", http.StatusBadRequest, "At least one action needs to be specified in a rule")
		}
		if e := r.Expiration; e != nil {
			if e.Days < 0 || (e.Days == 0 && e.Date == "" && e.ExpiredObjectDeleteMarker == nil) {
				return s3Error("InvalidArgument", http.StatusBadRequest, "'Days' for Expiration action must be a positive integer")
			}
		}
		if a := r.AbortIncompleteMultipartUpload; a != nil && a.DaysAfterInitiation <= 0 {
			return s3Error("InvalidArgument", http.StatusBadRequest, "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer")
		}
		if n := r.NoncurrentVersionExpiration; n != nil && n.NoncurrentDays <= 0 {
			return s3Error("InvalidArgument", http.StatusBadRequest, "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer")
		}
	}
	return nil
}

func validateTags(tags []Tag) error {
	if len(tags) > 50 {
		return s3Error("InvalidTag", http.StatusBadRequest, "Object tags cannot be greater than 50")
	}
	seen := map[string]bool{}
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 {
			return s3Error("InvalidTag", http.StatusBadRequest, "The TagKey you have provided is invalid")
		}
		if len(t.Value) > 256 {
			return s3Error("InvalidTag", http.StatusBadRequest, "The TagValue you have provided is invalid")
		}
		if seen[t.Key] {
			return s3Error("InvalidTag", http.StatusBadRequest, "Cannot provide multiple Tags with the same key")
		}
		seen[t.Key] = true
	}
	return nil
}

func (c *OwnershipControls) validate() error {
	if len(c.Rules) != 1 {
		return malformedXML()
	}
	switch c.Rules[0].ObjectOwnership {
	case "BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced":
		return nil
	}
	return malformedXML()
}

func (c *NotificationConfiguration) validate() error {
	switch {
	case len(c.TopicConfigurations) > 0:
		return notImplemented("PutBucketNotificationConfiguration with a TopicConfiguration (SNS)")
	case len(c.QueueConfigurations) > 0:
		return notImplemented("PutBucketNotificationConfiguration with a QueueConfiguration (SQS)")
	case len(c.LambdaConfigurations) > 0:
		return notImplemented("PutBucketNotificationConfiguration with a CloudFunctionConfiguration (Lambda)")
	}
	return nil
}

func validatePolicy(policy string) error {
	p := strings.TrimSpace(policy)
	if !strings.HasPrefix(p, "{") {
		return s3Error("MalformedPolicy", http.StatusBadRequest, "Policies must be valid JSON and the first byte must be '{'")
	}
	return nil
}

// applyBucketEncryption sets the encryption headers a new object is
// served with from the bucket's default encryption, unless the request
// chose its own.
func applyBucketEncryption(b *bucketRecord, meta map[string]string) {
	if _, ok := meta["X-Amz-Server-Side-Encryption"]; ok {
		return
	}
	enc := b.Encryption
	if enc == nil || len(enc.Rules) == 0 || enc.Rules[0].ApplyServerSideEncryptionByDefault == nil {
		enc = defaultEncryption()
	}
	r := enc.Rules[0]
	meta["X-Amz-Server-Side-Encryption"] = r.ApplyServerSideEncryptionByDefault.SSEAlgorithm
	if id := r.ApplyServerSideEncryptionByDefault.KMSMasterKeyID; id != "" {
		meta["X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id"] = id
	}
	if r.BucketKeyEnabled != nil && *r.BucketKeyEnabled && r.ApplyServerSideEncryptionByDefault.SSEAlgorithm != "AES256" {
		meta["X-Amz-Server-Side-Encryption-Bucket-Key-Enabled"] = "true"
	}
}
