package gen

import (
	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/kms"
	"github.com/awslabs/goformation/v7/cloudformation/policies"
	"github.com/awslabs/goformation/v7/cloudformation/s3"
	"github.com/awslabs/goformation/v7/cloudformation/sns"
)

// keys declares customer-managed KMS keys with rotation. The account root
// administers the key, which is what lets IAM policies grant its use; a key
// for logs also lets CloudWatch Logs use it for this account's log groups.
func (s *stack) keys() error {
	for _, k := range s.w.Keys {
		stmts := []statement{{
			Sid:       "AccountAdministers",
			Effect:    "Allow",
			Principal: map[string]any{"AWS": cloudformation.Sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")},
			Action:    []string{"kms:*"},
			Resource:  []string{"*"},
		}}
		if k.ForLogs {
			stmts = append(stmts, statement{
				Sid:       "CloudWatchLogsEncrypts",
				Effect:    "Allow",
				Principal: map[string]any{"Service": cloudformation.Sub("logs.${AWS::Region}.amazonaws.com")},
				Action:    []string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"},
				Resource:  []string{"*"},
				Condition: map[string]any{"ArnLike": map[string]any{
					"kms:EncryptionContext:aws:logs:arn": cloudformation.Sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*"),
				}},
			})
		}
		err := s.add(k.LogicalID(), &kms.Key{
			Description:       cloudformation.String(k.Description),
			EnableKeyRotation: cloudformation.Bool(true),
			KeyPolicy:         document{Version: "2012-10-17", Statement: stmts},
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// buckets declares S3 buckets with public access blocked, owner-enforced
// object ownership, SSE-S3 encryption and a policy refusing plain HTTP.
func (s *stack) buckets() error {
	for _, b := range s.w.Buckets {
		bucket := &s3.Bucket{
			BucketEncryption: &s3.Bucket_BucketEncryption{ServerSideEncryptionConfiguration: []s3.Bucket_ServerSideEncryptionRule{{
				ServerSideEncryptionByDefault: &s3.Bucket_ServerSideEncryptionByDefault{SSEAlgorithm: "AES256"},
				BucketKeyEnabled:              cloudformation.Bool(true),
			}}},
			PublicAccessBlockConfiguration: &s3.Bucket_PublicAccessBlockConfiguration{
				BlockPublicAcls: cloudformation.Bool(true), BlockPublicPolicy: cloudformation.Bool(true),
				IgnorePublicAcls: cloudformation.Bool(true), RestrictPublicBuckets: cloudformation.Bool(true),
			},
			OwnershipControls: &s3.Bucket_OwnershipControls{Rules: []s3.Bucket_OwnershipControlsRule{{ObjectOwnership: cloudformation.String("BucketOwnerEnforced")}}},
			// Uploads are data: keep them when the stack is deleted.
			AWSCloudFormationDeletionPolicy:      policies.DeletionPolicy("Retain"),
			AWSCloudFormationUpdateReplacePolicy: policies.UpdateReplacePolicy("Retain"),
		}
		if b.EventBridge {
			bucket.NotificationConfiguration = &s3.Bucket_NotificationConfiguration{EventBridgeConfiguration: &s3.Bucket_EventBridgeConfiguration{EventBridgeEnabled: true}}
		}
		if b.ExpireDays != nil {
			bucket.LifecycleConfiguration = &s3.Bucket_LifecycleConfiguration{Rules: []s3.Bucket_Rule{{
				Id: cloudformation.String("expire-uploads"), Status: "Enabled", ExpirationInDays: cloudformation.Int(1),
				AbortIncompleteMultipartUpload: &s3.Bucket_AbortIncompleteMultipartUpload{DaysAfterInitiation: 1},
			}}}
			// goformation types ExpirationInDays as an int; the parameter's
			// Ref goes in after rendering.
			s.patches = append(s.patches, patch{
				path:  []any{"Resources", b.LogicalID(), "Properties", "LifecycleConfiguration", "Rules", 0, "ExpirationInDays"},
				value: map[string]any{"Ref": b.ExpireDays.LogicalID()},
			})
		}
		if err := s.add(b.LogicalID(), bucket); err != nil {
			return err
		}
		bucketARN := arn(b)
		err := s.add(b.LogicalID()+"Policy", &s3.BucketPolicy{
			Bucket: ref(b),
			PolicyDocument: document{Version: "2012-10-17", Statement: []statement{{
				Sid:       "DenyPlainHTTP",
				Effect:    "Deny",
				Principal: map[string]any{"AWS": "*"},
				Action:    []string{"s3:*"},
				Resource:  []string{bucketARN, cloudformation.Sub("${" + b.LogicalID() + ".Arn}/*")},
				Condition: map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
			}}},
		})
		if err != nil {
			return err
		}
		s.output(b.LogicalID()+"Name", "Name of the "+b.Name+" bucket.", ref(b))
	}
	return nil
}

// topics declares SNS topics encrypted with their key, with an email
// subscription to the address a parameter holds.
func (s *stack) topics() error {
	for _, t := range s.w.Topics {
		topic := &sns.Topic{DisplayName: cloudformation.String(t.DisplayName)}
		if t.Key != nil {
			topic.KmsMasterKeyId = cloudformation.String(arn(t.Key))
		}
		if err := s.add(t.LogicalID(), topic); err != nil {
			return err
		}
		if t.EmailFrom != nil {
			err := s.add(t.LogicalID()+"EmailSubscription", &sns.Subscription{
				Protocol: "email",
				Endpoint: cloudformation.String(cloudformation.Ref(t.EmailFrom.LogicalID())),
				TopicArn: ref(t),
			})
			if err != nil {
				return err
			}
		}
		s.output(t.LogicalID()+"Arn", "ARN of the "+t.Name+" topic.", ref(t))
	}
	return nil
}
