package logs

import (
	"context"
	"fmt"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// Name is CloudWatch Logs' SigV4 signing name.
func (s *Service) Name() string { return "logs" }

// Protocol is CloudWatch Logs' awsJson1.1 protocol.
func (s *Service) Protocol() localcloud.Protocol { return localcloud.JSON("1.1", "Logs_20140328") }

type logGroupOutput struct {
	LogGroupName              string `json:"logGroupName"`
	CreationTime              int64  `json:"creationTime"`
	RetentionInDays           *int   `json:"retentionInDays,omitempty"`
	MetricFilterCount         int    `json:"metricFilterCount"`
	Arn                       string `json:"arn"`
	StoredBytes               int64  `json:"storedBytes"`
	KmsKeyID                  string `json:"kmsKeyId,omitempty"`
	LogGroupClass             string `json:"logGroupClass"`
	LogGroupArn               string `json:"logGroupArn"`
	DeletionProtectionEnabled bool   `json:"deletionProtectionEnabled"`
}

type logStreamOutput struct {
	LogStreamName       string `json:"logStreamName"`
	CreationTime        int64  `json:"creationTime"`
	FirstEventTimestamp int64  `json:"firstEventTimestamp,omitempty"`
	LastEventTimestamp  int64  `json:"lastEventTimestamp,omitempty"`
	LastIngestionTime   int64  `json:"lastIngestionTime,omitempty"`
	UploadSequenceToken string `json:"uploadSequenceToken"`
	Arn                 string `json:"arn"`
	StoredBytes         int64  `json:"storedBytes"`
}

type groupNameInput struct {
	LogGroupName string `json:"logGroupName"`
}

// Call runs one CloudWatch Logs operation; the ones not here are
// ErrUnknownOperation.
func (s *Service) Call(ctx context.Context, op string, in *localcloud.Request) (any, error) {
	switch op {
	case "CreateLogGroup":
		var req CreateGroupInput
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		_, err := s.CreateGroup(ctx, in.Region, req)
		return struct{}{}, err
	case "DeleteLogGroup":
		var req groupNameInput
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		return struct{}{}, s.DeleteGroup(ctx, in.Region, req.LogGroupName)
	case "DescribeLogGroups":
		var req struct {
			DescribeGroupsInput
			AccountIdentifiers    []string `json:"accountIdentifiers"`
			IncludeLinkedAccounts bool     `json:"includeLinkedAccounts"`
		}
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		if len(req.AccountIdentifiers) > 0 || req.IncludeLinkedAccounts {
			return nil, invalid("accountIdentifiers, includeLinkedAccounts: the local cloud has one account and no linked (cross-account observability) accounts.")
		}
		groups, next, err := s.DescribeGroups(ctx, in.Region, req.DescribeGroupsInput)
		if err != nil {
			return nil, err
		}
		out := make([]logGroupOutput, len(groups))
		for i, g := range groups {
			out[i] = logGroupOutput{
				LogGroupName: g.Name, CreationTime: g.CreationTime, RetentionInDays: g.RetentionInDays,
				Arn: g.ARN(), StoredBytes: g.StoredBytes, KmsKeyID: g.KmsKeyID, LogGroupClass: g.LogGroupClass,
				LogGroupArn: GroupARN(g.Region, g.Name),
			}
		}
		return struct {
			LogGroups []logGroupOutput `json:"logGroups"`
			NextToken string           `json:"nextToken,omitempty"`
		}{out, next}, nil
	case "PutRetentionPolicy":
		var req struct {
			LogGroupName    string `json:"logGroupName"`
			RetentionInDays int    `json:"retentionInDays"`
		}
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		return struct{}{}, s.PutRetention(ctx, in.Region, req.LogGroupName, req.RetentionInDays)
	case "DeleteRetentionPolicy":
		var req groupNameInput
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		return struct{}{}, s.DeleteRetention(ctx, in.Region, req.LogGroupName)
	case "AssociateKmsKey", "DisassociateKmsKey":
		var req struct {
			LogGroupName       string `json:"logGroupName"`
			KmsKeyID           string `json:"kmsKeyId"`
			ResourceIdentifier string `json:"resourceIdentifier"`
		}
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		if req.ResourceIdentifier != "" {
			return nil, invalid("resourceIdentifier: the local cloud associates KMS keys with log groups only, named by logGroupName.")
		}
		if op == "AssociateKmsKey" && req.KmsKeyID == "" {
			return nil, invalid(constraint("null", "kmsKeyId", "Member must not be null"))
		}
		key := req.KmsKeyID
		if op == "DisassociateKmsKey" {
			key = ""
		}
		return struct{}{}, s.AssociateKmsKey(ctx, in.Region, req.LogGroupName, key)
	case "TagResource":
		var req struct {
			ResourceArn string            `json:"resourceArn"`
			Tags        map[string]string `json:"tags"`
		}
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		return struct{}{}, s.Tag(ctx, req.ResourceArn, req.Tags)
	case "UntagResource":
		var req struct {
			ResourceArn string   `json:"resourceArn"`
			TagKeys     []string `json:"tagKeys"`
		}
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		return struct{}{}, s.Untag(ctx, req.ResourceArn, req.TagKeys)
	case "ListTagsForResource":
		var req struct {
			ResourceArn string `json:"resourceArn"`
		}
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		tags, err := s.Tags(ctx, req.ResourceArn)
		if err != nil {
			return nil, err
		}
		return struct {
			Tags map[string]string `json:"tags"`
		}{tags}, nil
	case "TagLogGroup":
		var req struct {
			LogGroupName string            `json:"logGroupName"`
			Tags         map[string]string `json:"tags"`
		}
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		return struct{}{}, s.TagGroup(ctx, in.Region, req.LogGroupName, req.Tags)
	case "UntagLogGroup":
		var req struct {
			LogGroupName string   `json:"logGroupName"`
			Tags         []string `json:"tags"`
		}
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		return struct{}{}, s.UntagGroup(ctx, in.Region, req.LogGroupName, req.Tags)
	case "ListTagsLogGroup":
		var req groupNameInput
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		g, err := s.Group(ctx, in.Region, req.LogGroupName)
		if err != nil {
			return nil, err
		}
		if g.Tags == nil {
			g.Tags = map[string]string{}
		}
		return struct {
			Tags map[string]string `json:"tags"`
		}{g.Tags}, nil
	case "CreateLogStream", "DeleteLogStream":
		var req struct {
			LogGroupName  string `json:"logGroupName"`
			LogStreamName string `json:"logStreamName"`
		}
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		if op == "CreateLogStream" {
			return struct{}{}, s.CreateStream(ctx, in.Region, req.LogGroupName, req.LogStreamName)
		}
		return struct{}{}, s.DeleteStream(ctx, in.Region, req.LogGroupName, req.LogStreamName)
	case "DescribeLogStreams":
		var req DescribeStreamsInput
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		streams, next, err := s.DescribeStreams(ctx, in.Region, req)
		if err != nil {
			return nil, err
		}
		group, _ := identifier(req.LogGroupName, req.LogGroupIdentifier)
		out := make([]logStreamOutput, len(streams))
		for i, st := range streams {
			out[i] = logStreamOutput{
				LogStreamName: st.Name, CreationTime: st.CreationTime, FirstEventTimestamp: st.FirstEventTimestamp,
				LastEventTimestamp: st.LastEventTimestamp, LastIngestionTime: st.LastIngestionTime,
				UploadSequenceToken: fmt.Sprintf("%056d", st.Seq+1),
				Arn:                 GroupARN(regionOf(in.Region), group) + ":log-stream:" + st.Name,
			}
		}
		return struct {
			LogStreams []logStreamOutput `json:"logStreams"`
			NextToken  string            `json:"nextToken,omitempty"`
		}{out, next}, nil
	case "PutLogEvents":
		var req struct {
			LogGroupName  string  `json:"logGroupName"`
			LogStreamName string  `json:"logStreamName"`
			LogEvents     []Event `json:"logEvents"`
			Entity        any     `json:"entity"`
		}
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		if req.Entity != nil {
			return nil, invalid("entity: the local cloud does not associate log events with entities.")
		}
		for i := range req.LogEvents {
			req.LogEvents[i].IngestionTime = 0
		}
		res, err := s.PutEvents(ctx, in.Region, req.LogGroupName, req.LogStreamName, req.LogEvents)
		if err != nil {
			return nil, err
		}
		type rejected struct {
			TooNewLogEventStartIndex *int `json:"tooNewLogEventStartIndex,omitempty"`
			TooOldLogEventEndIndex   *int `json:"tooOldLogEventEndIndex,omitempty"`
			ExpiredLogEventEndIndex  *int `json:"expiredLogEventEndIndex,omitempty"`
		}
		out := struct {
			NextSequenceToken     string    `json:"nextSequenceToken"`
			RejectedLogEventsInfo *rejected `json:"rejectedLogEventsInfo,omitempty"`
		}{NextSequenceToken: res.NextSequenceToken}
		if res.TooNewLogEventStartIndex != nil || res.TooOldLogEventEndIndex != nil || res.ExpiredLogEventEndIndex != nil {
			out.RejectedLogEventsInfo = &rejected{res.TooNewLogEventStartIndex, res.TooOldLogEventEndIndex, res.ExpiredLogEventEndIndex}
		}
		return out, nil
	case "GetLogEvents":
		var req struct {
			GetEventsInput
			Unmask bool `json:"unmask"`
		}
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		return s.GetEvents(ctx, in.Region, req.GetEventsInput)
	case "FilterLogEvents":
		var req struct {
			FilterInput
			Interleaved bool `json:"interleaved"` // deprecated: always interleaved
			Unmask      bool `json:"unmask"`
		}
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		page, err := s.FilterEvents(ctx, in.Region, req.FilterInput)
		if err != nil {
			return nil, err
		}
		// searchedLogStreams is no longer supported and always empty.
		return struct {
			FilteredPage
			SearchedLogStreams []struct{} `json:"searchedLogStreams"`
		}{page, []struct{}{}}, nil
	}
	return nil, localcloud.ErrUnknownOperation
}
