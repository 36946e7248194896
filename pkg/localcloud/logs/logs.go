// Package logs is the local cloud's CloudWatch Logs: log groups (their
// retention, KMS key, class and tags) and the log streams and events in
// them, kept in the store as CloudWatch Logs keeps them and refused as it
// refuses them, and searched with its filter patterns (FilterLogEvents).
//
// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_Operations.html
package logs

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// The store's tables. Keys start with the region and the log group name,
// separated by NUL (which no name can hold), so a group's streams and
// events are one prefix scan.
const (
	groupsTable  = "logs.groups"
	streamsTable = "logs.streams"
	eventsTable  = "logs.events"
)

// Service is CloudWatch Logs over the local cloud's store.
type Service struct {
	store *localcloud.Store
	now   func() time.Time
}

// New returns the service keeping its state in store.
func New(store *localcloud.Store) *Service {
	return &Service{store: store, now: time.Now}
}

// LogGroup is a log group as the store keeps it.
type LogGroup struct {
	Region          string            `json:"region"`
	Name            string            `json:"logGroupName"`
	CreationTime    int64             `json:"creationTime"`
	RetentionInDays *int              `json:"retentionInDays,omitempty"`
	KmsKeyID        string            `json:"kmsKeyId,omitempty"`
	StoredBytes     int64             `json:"storedBytes"`
	LogGroupClass   string            `json:"logGroupClass"`
	Tags            map[string]string `json:"tags,omitempty"`
}

// ARN is the log group's ARN as DescribeLogGroups' arn gives it, ending
// in ":*" (every stream of the group): what CloudFormation's Fn::GetAtt
// Arn and Step Functions' logging destinations use.
func (g LogGroup) ARN() string { return GroupARN(g.Region, g.Name) + ":*" }

// GroupARN is the log group's ARN without the ":*" (logGroupArn, the
// resource ARN tagging takes).
func GroupARN(region, name string) string {
	if region == "" {
		region = localcloud.Region
	}
	return "arn:aws:logs:" + region + ":" + localcloud.Account + ":log-group:" + name
}

// LogStream is a log stream as the store keeps it.
type LogStream struct {
	Name                string `json:"logStreamName"`
	CreationTime        int64  `json:"creationTime"`
	FirstEventTimestamp int64  `json:"firstEventTimestamp,omitempty"`
	LastEventTimestamp  int64  `json:"lastEventTimestamp,omitempty"`
	LastIngestionTime   int64  `json:"lastIngestionTime,omitempty"`
	StoredBytes         int64  `json:"storedBytes"`
	Seq                 int64  `json:"seq"`
}

// Event is one log event: Timestamp in milliseconds since the epoch;
// IngestionTime is set when it is stored.
type Event struct {
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime,omitempty"`
}

func key(parts ...string) string { return strings.Join(parts, "\x00") }

// CreateGroupInput is CreateLogGroup's input.
type CreateGroupInput struct {
	LogGroupName              string            `json:"logGroupName"`
	KmsKeyID                  string            `json:"kmsKeyId,omitempty"`
	Tags                      map[string]string `json:"tags,omitempty"`
	LogGroupClass             string            `json:"logGroupClass,omitempty"`
	DeletionProtectionEnabled bool              `json:"deletionProtectionEnabled,omitempty"`
}

var (
	groupNamePattern  = regexp.MustCompile(`^[.\-_/#A-Za-z0-9]+$`)
	streamNamePattern = regexp.MustCompile(`^[^:*]*$`)
	classes           = []string{"STANDARD", "INFREQUENT_ACCESS", "DELIVERY"}
)

// CreateGroup makes a log group in region.
func (s *Service) CreateGroup(_ context.Context, region string, in CreateGroupInput) (LogGroup, error) {
	if err := checkGroupName("logGroupName", in.LogGroupName); err != nil {
		return LogGroup{}, err
	}
	if strings.HasPrefix(in.LogGroupName, "aws/") {
		return LogGroup{}, invalid("Log group names cannot start with 'aws/': the prefix is reserved for AWS.")
	}
	if in.DeletionProtectionEnabled {
		return LogGroup{}, invalid("deletionProtectionEnabled: the local cloud does not support deletion protection of log groups.")
	}
	class := in.LogGroupClass
	if class == "" {
		class = "STANDARD"
	}
	if !slices.Contains(classes, class) {
		return LogGroup{}, invalid(constraint(class, "logGroupClass", "Member must satisfy enum value set: ["+strings.Join(classes, ", ")+"]"))
	}
	if err := checkKmsKey(in.KmsKeyID); err != nil {
		return LogGroup{}, err
	}
	if err := checkTags(in.Tags); err != nil {
		return LogGroup{}, err
	}
	g := LogGroup{Region: regionOf(region), Name: in.LogGroupName, CreationTime: s.now().UnixMilli(), KmsKeyID: in.KmsKeyID,
		LogGroupClass: class, Tags: maps.Clone(in.Tags)}
	err := s.store.Update(func(tx *localcloud.Tx) error {
		var old LogGroup
		found, err := tx.Get(groupsTable, key(g.Region, g.Name), &old)
		if err != nil {
			return err
		}
		if found {
			return &localcloud.Error{Code: "ResourceAlreadyExistsException", Message: "The specified log group already exists"}
		}
		return tx.Put(groupsTable, key(g.Region, g.Name), g)
	})
	if err != nil {
		return LogGroup{}, err
	}
	return g, nil
}

// Group returns the log group name in region.
func (s *Service) Group(_ context.Context, region, name string) (LogGroup, error) {
	var g LogGroup
	err := s.store.View(func(tx *localcloud.Tx) error {
		var err error
		g, err = getGroup(tx, regionOf(region), name)
		return err
	})
	return g, err
}

func getGroup(tx *localcloud.Tx, region, name string) (LogGroup, error) {
	var g LogGroup
	found, err := tx.Get(groupsTable, key(region, name), &g)
	if err == nil && !found {
		err = groupNotFound()
	}
	return g, err
}

// updateGroup changes a log group in one transaction.
func (s *Service) updateGroup(region, name string, fn func(*LogGroup) error) error {
	return s.store.Update(func(tx *localcloud.Tx) error {
		g, err := getGroup(tx, regionOf(region), name)
		if err != nil {
			return err
		}
		if err := fn(&g); err != nil {
			return err
		}
		return tx.Put(groupsTable, key(g.Region, g.Name), g)
	})
}

// DeleteGroup deletes a log group with all its streams and events.
func (s *Service) DeleteGroup(_ context.Context, region, name string) error {
	if err := checkGroupName("logGroupName", name); err != nil {
		return err
	}
	region = regionOf(region)
	return s.store.Update(func(tx *localcloud.Tx) error {
		if _, err := getGroup(tx, region, name); err != nil {
			return err
		}
		for _, table := range []string{streamsTable, eventsTable} {
			var keys []string
			if err := tx.Scan(table, key(region, name, ""), func(k string, _ []byte) error {
				keys = append(keys, k)
				return nil
			}); err != nil {
				return err
			}
			for _, k := range keys {
				if err := tx.Delete(table, k); err != nil {
					return err
				}
			}
		}
		return tx.Delete(groupsTable, key(region, name))
	})
}

// DescribeGroupsInput is DescribeLogGroups' input.
type DescribeGroupsInput struct {
	LogGroupNamePrefix  string   `json:"logGroupNamePrefix,omitempty"`
	LogGroupNamePattern string   `json:"logGroupNamePattern,omitempty"`
	LogGroupClass       string   `json:"logGroupClass,omitempty"`
	LogGroupIdentifiers []string `json:"logGroupIdentifiers,omitempty"`
	NextToken           string   `json:"nextToken,omitempty"`
	Limit               int      `json:"limit,omitempty"`
}

// DescribeGroups lists the log groups of region in name order, limit
// (1-50, 0 meaning 50) at a time.
func (s *Service) DescribeGroups(_ context.Context, region string, in DescribeGroupsInput) ([]LogGroup, string, error) {
	if in.LogGroupNamePrefix != "" && in.LogGroupNamePattern != "" {
		return nil, "", invalid("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
	}
	if len(in.LogGroupIdentifiers) > 0 && (in.LogGroupNamePrefix != "" || in.LogGroupNamePattern != "") {
		return nil, "", invalid("LogGroupIdentifiers is mutually exclusive with LogGroupNamePrefix and LogGroupNamePattern.")
	}
	if in.LogGroupNamePrefix != "" {
		if err := checkGroupName("logGroupNamePrefix", in.LogGroupNamePrefix); err != nil {
			return nil, "", err
		}
	}
	if in.LogGroupClass != "" && !slices.Contains(classes, in.LogGroupClass) {
		return nil, "", invalid(constraint(in.LogGroupClass, "logGroupClass", "Member must satisfy enum value set: ["+strings.Join(classes, ", ")+"]"))
	}
	limit, err := checkLimit(in.Limit, 50)
	if err != nil {
		return nil, "", err
	}
	region = regionOf(region)
	ids := map[string]bool{}
	for _, id := range in.LogGroupIdentifiers {
		ids[groupName(id)] = true
	}
	var all []LogGroup
	err = s.store.View(func(tx *localcloud.Tx) error {
		return tx.Scan(groupsTable, key(region, in.LogGroupNamePrefix), func(_ string, raw []byte) error {
			var g LogGroup
			if err := json.Unmarshal(raw, &g); err != nil {
				return err
			}
			switch {
			case in.LogGroupNamePattern != "" && !strings.Contains(strings.ToLower(g.Name), strings.ToLower(in.LogGroupNamePattern)):
			case in.LogGroupClass != "" && g.LogGroupClass != in.LogGroupClass:
			case len(ids) > 0 && !ids[g.Name]:
			default:
				all = append(all, g)
			}
			return nil
		})
	})
	if err != nil {
		return nil, "", err
	}
	return paginate(all, in.NextToken, limit)
}

// groupName is the name in a log group identifier: a name or an ARN.
func groupName(id string) string {
	if _, rest, ok := strings.Cut(id, ":log-group:"); ok && strings.HasPrefix(id, "arn:") {
		return strings.TrimSuffix(rest, ":*")
	}
	return id
}

// paginate gives the page at token (an opaque offset) of at most limit items.
func paginate[T any](all []T, token string, limit int) ([]T, string, error) {
	start := 0
	if token != "" {
		b, err := base64.RawURLEncoding.DecodeString(token)
		n, perr := strconv.Atoi(strings.TrimPrefix(string(b), "offset/"))
		if err != nil || perr != nil || !strings.HasPrefix(string(b), "offset/") || n < 0 || n > len(all) {
			return nil, "", invalid("The specified nextToken is invalid.")
		}
		start = n
	}
	end := min(start+limit, len(all))
	next := ""
	if end < len(all) {
		next = base64.RawURLEncoding.EncodeToString([]byte("offset/" + strconv.Itoa(end)))
	}
	return all[start:end], next, nil
}

// retentionDays are the retention periods CloudWatch Logs accepts.
var retentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// PutRetention sets how many days a log group keeps its events.
func (s *Service) PutRetention(_ context.Context, region, name string, days int) error {
	if err := checkGroupName("logGroupName", name); err != nil {
		return err
	}
	if err := checkRetention(days); err != nil {
		return err
	}
	return s.updateGroup(region, name, func(g *LogGroup) error {
		g.RetentionInDays = &days
		return nil
	})
}

func checkRetention(days int) error {
	if !slices.Contains(retentionDays, days) {
		vals := make([]string, len(retentionDays))
		for i, d := range retentionDays {
			vals[i] = strconv.Itoa(d)
		}
		return invalid(constraint(strconv.Itoa(days), "retentionInDays", "Member must satisfy enum value set: ["+strings.Join(vals, ", ")+"]"))
	}
	return nil
}

// DeleteRetention makes a log group keep its events forever.
func (s *Service) DeleteRetention(_ context.Context, region, name string) error {
	if err := checkGroupName("logGroupName", name); err != nil {
		return err
	}
	return s.updateGroup(region, name, func(g *LogGroup) error {
		g.RetentionInDays = nil
		return nil
	})
}

// AssociateKmsKey sets the KMS key (an ARN) that encrypts a log group's
// data; an empty kmsKeyID disassociates it.
func (s *Service) AssociateKmsKey(_ context.Context, region, name, kmsKeyID string) error {
	if err := checkGroupName("logGroupName", name); err != nil {
		return err
	}
	if err := checkKmsKey(kmsKeyID); err != nil {
		return err
	}
	return s.updateGroup(region, name, func(g *LogGroup) error {
		g.KmsKeyID = kmsKeyID
		return nil
	})
}

// Tag adds or replaces tags on the log group the resource ARN names.
func (s *Service) Tag(ctx context.Context, resourceArn string, tags map[string]string) error {
	region, name, err := parseGroupArn(resourceArn)
	if err != nil {
		return err
	}
	return s.TagGroup(ctx, region, name, tags)
}

// TagGroup adds or replaces tags on a log group named by name.
func (s *Service) TagGroup(_ context.Context, region, name string, tags map[string]string) error {
	if len(tags) == 0 {
		return invalid(constraint("{}", "tags", "Member must have length greater than or equal to 1"))
	}
	if err := checkTags(tags); err != nil {
		return err
	}
	return s.updateGroup(region, name, func(g *LogGroup) error {
		merged := maps.Clone(g.Tags)
		if merged == nil {
			merged = map[string]string{}
		}
		maps.Copy(merged, tags)
		if len(merged) > 50 {
			return &localcloud.Error{Code: "TooManyTagsException", Message: "A resource can have no more than 50 tags."}
		}
		g.Tags = merged
		return nil
	})
}

// Untag removes tags by key from the log group the resource ARN names.
func (s *Service) Untag(ctx context.Context, resourceArn string, keys []string) error {
	region, name, err := parseGroupArn(resourceArn)
	if err != nil {
		return err
	}
	return s.UntagGroup(ctx, region, name, keys)
}

// UntagGroup removes tags by key from a log group named by name.
func (s *Service) UntagGroup(_ context.Context, region, name string, keys []string) error {
	return s.updateGroup(region, name, func(g *LogGroup) error {
		for _, k := range keys {
			delete(g.Tags, k)
		}
		return nil
	})
}

// Tags returns the tags of the log group the resource ARN names.
func (s *Service) Tags(ctx context.Context, resourceArn string) (map[string]string, error) {
	region, name, err := parseGroupArn(resourceArn)
	if err != nil {
		return nil, err
	}
	g, err := s.Group(ctx, region, name)
	if err != nil {
		return nil, err
	}
	if g.Tags == nil {
		g.Tags = map[string]string{}
	}
	return g.Tags, nil
}

// parseGroupArn reads a log group's ARN, with or without the ":*".
func parseGroupArn(arn string) (region, name string, err error) {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "logs" || parts[5] != "log-group" || parts[6] == "" {
		return "", "", invalid("Invalid resource ARN: '" + arn + "'. Tagging takes a log group ARN: arn:aws:logs:<region>:<account>:log-group:<name>.")
	}
	if parts[4] != localcloud.Account {
		return "", "", &localcloud.Error{Code: "ResourceNotFoundException", Message: "The specified log group does not exist."}
	}
	return parts[3], strings.TrimSuffix(parts[6], ":*"), nil
}

// CreateStream makes a log stream in a log group.
func (s *Service) CreateStream(_ context.Context, region, group, stream string) error {
	if err := checkGroupName("logGroupName", group); err != nil {
		return err
	}
	if err := checkStreamName("logStreamName", stream); err != nil {
		return err
	}
	region = regionOf(region)
	return s.store.Update(func(tx *localcloud.Tx) error {
		if _, err := getGroup(tx, region, group); err != nil {
			return err
		}
		var old LogStream
		found, err := tx.Get(streamsTable, key(region, group, stream), &old)
		if err != nil {
			return err
		}
		if found {
			return &localcloud.Error{Code: "ResourceAlreadyExistsException", Message: "The specified log stream already exists"}
		}
		return tx.Put(streamsTable, key(region, group, stream), LogStream{Name: stream, CreationTime: s.now().UnixMilli()})
	})
}

// DeleteStream deletes a log stream and its events.
func (s *Service) DeleteStream(_ context.Context, region, group, stream string) error {
	region = regionOf(region)
	return s.store.Update(func(tx *localcloud.Tx) error {
		g, err := getGroup(tx, region, group)
		if err != nil {
			return err
		}
		var st LogStream
		found, err := tx.Get(streamsTable, key(region, group, stream), &st)
		if err != nil {
			return err
		}
		if !found {
			return streamNotFound()
		}
		var keys []string
		if err := tx.Scan(eventsTable, key(region, group, stream, ""), func(k string, _ []byte) error {
			keys = append(keys, k)
			return nil
		}); err != nil {
			return err
		}
		for _, k := range keys {
			if err := tx.Delete(eventsTable, k); err != nil {
				return err
			}
		}
		g.StoredBytes -= st.StoredBytes
		if err := tx.Put(groupsTable, key(region, group), g); err != nil {
			return err
		}
		return tx.Delete(streamsTable, key(region, group, stream))
	})
}

// DescribeStreamsInput is DescribeLogStreams' input.
type DescribeStreamsInput struct {
	LogGroupName        string `json:"logGroupName,omitempty"`
	LogGroupIdentifier  string `json:"logGroupIdentifier,omitempty"`
	LogStreamNamePrefix string `json:"logStreamNamePrefix,omitempty"`
	OrderBy             string `json:"orderBy,omitempty"`
	Descending          bool   `json:"descending,omitempty"`
	NextToken           string `json:"nextToken,omitempty"`
	Limit               int    `json:"limit,omitempty"`
}

// DescribeStreams lists a log group's streams by name (the default) or by
// last event time, limit (1-50, 0 meaning 50) at a time.
func (s *Service) DescribeStreams(_ context.Context, region string, in DescribeStreamsInput) ([]LogStream, string, error) {
	group, err := identifier(in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, "", err
	}
	switch in.OrderBy {
	case "", "LogStreamName":
	case "LastEventTime":
		if in.LogStreamNamePrefix != "" {
			return nil, "", invalid("Cannot order by LastEventTime with a logStreamNamePrefix.")
		}
	default:
		return nil, "", invalid(constraint(in.OrderBy, "orderBy", "Member must satisfy enum value set: [LogStreamName, LastEventTime]"))
	}
	limit, err := checkLimit(in.Limit, 50)
	if err != nil {
		return nil, "", err
	}
	region = regionOf(region)
	var all []LogStream
	err = s.store.View(func(tx *localcloud.Tx) error {
		if _, err := getGroup(tx, region, group); err != nil {
			return err
		}
		return tx.Scan(streamsTable, key(region, group, in.LogStreamNamePrefix), func(_ string, raw []byte) error {
			var st LogStream
			if err := json.Unmarshal(raw, &st); err != nil {
				return err
			}
			all = append(all, st)
			return nil
		})
	})
	if err != nil {
		return nil, "", err
	}
	if in.OrderBy == "LastEventTime" {
		sort.SliceStable(all, func(i, j int) bool { return all[i].LastEventTimestamp < all[j].LastEventTimestamp })
	}
	if in.Descending {
		slices.Reverse(all)
	}
	return paginate(all, in.NextToken, limit)
}

// identifier gives the log group name from logGroupName or
// logGroupIdentifier (a name or an ARN), exactly one of which is given.
func identifier(name, id string) (string, error) {
	switch {
	case name != "" && id != "":
		return "", invalid("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
	case name == "" && id == "":
		return "", invalid("Either logGroupName or logGroupIdentifier must be specified.")
	case id != "":
		name = groupName(id)
	}
	if err := checkGroupName("logGroupName", name); err != nil {
		return "", err
	}
	return name, nil
}

// PutResult is what PutLogEvents says about the events it did not keep:
// indexes into the batch, nil when none.
type PutResult struct {
	NextSequenceToken        string
	TooNewLogEventStartIndex *int
	TooOldLogEventEndIndex   *int
	ExpiredLogEventEndIndex  *int
}

// maxBatchBytes is the largest PutLogEvents batch: the messages' UTF-8
// bytes plus 26 bytes for each event.
const maxBatchBytes = 1048576

// PutEvents stores a batch of events in a stream, as PutLogEvents does:
// the batch in chronological order, spanning at most 24 hours; events more
// than two hours in the future, older than 14 days or older than the
// group's retention are not kept, and the result says which.
func (s *Service) PutEvents(_ context.Context, region, group, stream string, events []Event) (PutResult, error) {
	if err := checkGroupName("logGroupName", group); err != nil {
		return PutResult{}, err
	}
	if err := checkStreamName("logStreamName", stream); err != nil {
		return PutResult{}, err
	}
	if n := len(events); n < 1 || n > 10000 {
		return PutResult{}, invalid(constraint(fmt.Sprintf("%d events", n), "logEvents", "Member must have length between 1 and 10000"))
	}
	size := 0
	for i, e := range events {
		if e.Message == "" {
			return PutResult{}, invalid(constraint("", fmt.Sprintf("logEvents.%d.member.message", i+1), "Member must have length greater than or equal to 1"))
		}
		if e.Timestamp < 0 {
			return PutResult{}, invalid(constraint(strconv.FormatInt(e.Timestamp, 10), fmt.Sprintf("logEvents.%d.member.timestamp", i+1), "Member must have value greater than or equal to 0"))
		}
		if i > 0 && e.Timestamp < events[i-1].Timestamp {
			return PutResult{}, invalid("Log events in a single PutLogEvents request must be in chronological order.")
		}
		size += len(e.Message) + 26
	}
	if size > maxBatchBytes {
		return PutResult{}, invalid(fmt.Sprintf("Upload too large: %d bytes exceeds limit of %d", size, maxBatchBytes))
	}
	if events[len(events)-1].Timestamp-events[0].Timestamp > (24 * time.Hour).Milliseconds() {
		return PutResult{}, invalid("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
	}
	region = regionOf(region)
	now := s.now().UnixMilli()
	var res PutResult
	err := s.store.Update(func(tx *localcloud.Tx) error {
		g, err := getGroup(tx, region, group)
		if err != nil {
			return err
		}
		var st LogStream
		found, err := tx.Get(streamsTable, key(region, group, stream), &st)
		if err != nil {
			return err
		}
		if !found {
			return streamNotFound()
		}
		res = PutResult{}
		tooOld := now - (14 * 24 * time.Hour).Milliseconds()
		expired := int64(-1)
		if g.RetentionInDays != nil {
			expired = now - int64(*g.RetentionInDays)*(24*time.Hour).Milliseconds()
		}
		tooNew := now + (2 * time.Hour).Milliseconds()
		for i, e := range events {
			switch {
			case e.Timestamp < expired:
				res.ExpiredLogEventEndIndex = ptr(i)
				continue
			case e.Timestamp < tooOld:
				res.TooOldLogEventEndIndex = ptr(i)
				continue
			case e.Timestamp > tooNew:
				if res.TooNewLogEventStartIndex == nil {
					res.TooNewLogEventStartIndex = ptr(i)
				}
				continue
			}
			st.Seq++
			e.IngestionTime = now
			if err := tx.Put(eventsTable, key(region, group, stream, eventKey(e.Timestamp, st.Seq)), e); err != nil {
				return err
			}
			if st.FirstEventTimestamp == 0 || e.Timestamp < st.FirstEventTimestamp {
				st.FirstEventTimestamp = e.Timestamp
			}
			st.LastEventTimestamp = max(st.LastEventTimestamp, e.Timestamp)
			st.LastIngestionTime = now
			st.StoredBytes += int64(len(e.Message))
			g.StoredBytes += int64(len(e.Message))
		}
		res.NextSequenceToken = fmt.Sprintf("%056d", st.Seq)
		if err := tx.Put(streamsTable, key(region, group, stream), st); err != nil {
			return err
		}
		return tx.Put(groupsTable, key(region, group), g)
	})
	if err != nil {
		return PutResult{}, err
	}
	return res, nil
}

// Append stores events in a stream of a log group of the local cloud's
// region, creating the stream when it does not exist (as Lambda and Step
// Functions do for their own streams); the group must exist. Events are
// sorted by time first.
func (s *Service) Append(ctx context.Context, group, stream string, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	events = slices.Clone(events)
	slices.SortStableFunc(events, func(a, b Event) int { return cmp.Compare(a.Timestamp, b.Timestamp) })
	err := s.CreateStream(ctx, localcloud.Region, group, stream)
	if e, ok := err.(*localcloud.Error); ok && e.Code == "ResourceAlreadyExistsException" {
		err = nil
	}
	if err != nil {
		return err
	}
	// Batches of at most 10,000 events, 1 MiB and 24 hours, as PutLogEvents takes them.
	for len(events) > 0 {
		n, size := 0, 0
		for n < len(events) && n < 10000 && size+len(events[n].Message)+26 <= maxBatchBytes &&
			events[n].Timestamp-events[0].Timestamp <= (24*time.Hour).Milliseconds() {
			size += len(events[n].Message) + 26
			n++
		}
		if n == 0 {
			return invalid(fmt.Sprintf("Upload too large: an event of %d bytes exceeds limit of %d", len(events[0].Message)+26, maxBatchBytes))
		}
		if _, err := s.PutEvents(ctx, localcloud.Region, group, stream, events[:n]); err != nil {
			return err
		}
		events = events[n:]
	}
	return nil
}

func eventKey(ts, seq int64) string { return fmt.Sprintf("%020d%020d", ts, seq) }

func ptr[T any](v T) *T { return &v }

// GetEventsInput is GetLogEvents' input.
type GetEventsInput struct {
	LogGroupName       string `json:"logGroupName,omitempty"`
	LogGroupIdentifier string `json:"logGroupIdentifier,omitempty"`
	LogStreamName      string `json:"logStreamName"`
	StartTime          *int64 `json:"startTime,omitempty"`
	EndTime            *int64 `json:"endTime,omitempty"`
	NextToken          string `json:"nextToken,omitempty"`
	Limit              int    `json:"limit,omitempty"`
	StartFromHead      bool   `json:"startFromHead,omitempty"`
}

// EventsPage is one page of GetLogEvents.
type EventsPage struct {
	Events            []Event `json:"events"`
	NextForwardToken  string  `json:"nextForwardToken"`
	NextBackwardToken string  `json:"nextBackwardToken"`
}

var (
	firstKey = eventKey(0, 0)
	lastKey  = strings.Repeat("9", 40)
)

// GetEvents reads a stream's events in [startTime, endTime), limit
// (1-10000, 0 meaning 10000) at a time: from the oldest with
// startFromHead, else the newest; a nextForwardToken or nextBackwardToken
// moves on from a page. At the end the forward token comes back unchanged.
func (s *Service) GetEvents(_ context.Context, region string, in GetEventsInput) (EventsPage, error) {
	group, err := identifier(in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return EventsPage{}, err
	}
	if err := checkStreamName("logStreamName", in.LogStreamName); err != nil {
		return EventsPage{}, err
	}
	limit, err := checkLimit(in.Limit, 10000)
	if err != nil {
		return EventsPage{}, err
	}
	forward, bound := in.StartFromHead, ""
	if in.NextToken != "" {
		dir, k, ok := strings.Cut(in.NextToken, "/")
		if !ok || (dir != "f" && dir != "b") || len(k) != 40 || strings.Trim(k, "0123456789") != "" {
			return EventsPage{}, invalid("The specified nextToken is invalid.")
		}
		forward, bound = dir == "f", k
	}
	region = regionOf(region)
	type entry struct {
		key string
		ev  Event
	}
	var all []entry
	err = s.store.View(func(tx *localcloud.Tx) error {
		if _, err := getGroup(tx, region, group); err != nil {
			return err
		}
		var st LogStream
		found, err := tx.Get(streamsTable, key(region, group, in.LogStreamName), &st)
		if err != nil {
			return err
		}
		if !found {
			return streamNotFound()
		}
		prefix := key(region, group, in.LogStreamName, "")
		return tx.Scan(eventsTable, prefix, func(k string, raw []byte) error {
			var e Event
			if err := json.Unmarshal(raw, &e); err != nil {
				return err
			}
			if (in.StartTime != nil && e.Timestamp < *in.StartTime) || (in.EndTime != nil && e.Timestamp >= *in.EndTime) {
				return nil
			}
			all = append(all, entry{strings.TrimPrefix(k, prefix), e})
			return nil
		})
	})
	if err != nil {
		return EventsPage{}, err
	}
	// A forward token's key is the last event served (serve those after
	// it); a backward token's is the first served (serve those before it).
	var i, j int
	switch {
	case forward:
		if bound != "" {
			i = sort.Search(len(all), func(n int) bool { return all[n].key > bound })
		}
		j = min(i+limit, len(all))
	default:
		j = len(all)
		if bound != "" {
			j = sort.Search(len(all), func(n int) bool { return all[n].key >= bound })
		}
		i = max(j-limit, 0)
	}
	page := EventsPage{Events: make([]Event, 0, j-i)}
	for _, e := range all[i:j] {
		page.Events = append(page.Events, e.ev)
	}
	fk, bk := firstKey, lastKey
	switch {
	case j > i:
		fk, bk = all[j-1].key, all[i].key
	case forward && bound != "":
		fk = bound
	case !forward && bound != "":
		bk = bound
	}
	page.NextForwardToken, page.NextBackwardToken = "f/"+fk, "b/"+bk
	return page, nil
}

func regionOf(region string) string {
	if region == "" {
		return localcloud.Region
	}
	return region
}

func checkGroupName(field, name string) error {
	if n := len(name); n < 1 || n > 512 {
		return invalid(constraint(name, field, "Member must have length between 1 and 512"))
	}
	if !groupNamePattern.MatchString(name) {
		return invalid(constraint(name, field, `Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+`))
	}
	return nil
}

func checkStreamName(field, name string) error {
	if n := len(name); n < 1 || n > 512 {
		return invalid(constraint(name, field, "Member must have length between 1 and 512"))
	}
	if !streamNamePattern.MatchString(name) {
		return invalid(constraint(name, field, "Member must satisfy regular expression pattern: [^:*]*"))
	}
	return nil
}

func checkKmsKey(id string) error {
	if id == "" {
		return nil
	}
	parts := strings.SplitN(id, ":", 6)
	if len(id) > 256 || len(parts) != 6 || parts[0] != "arn" || parts[2] != "kms" || !strings.HasPrefix(parts[5], "key/") {
		return invalid("Specified KMS key '" + id + "' is not a valid KMS key ARN: arn:aws:kms:<region>:<account>:key/<key-id>.")
	}
	return nil
}

func checkTags(tags map[string]string) error {
	if len(tags) > 50 {
		return &localcloud.Error{Code: "TooManyTagsException", Message: "A resource can have no more than 50 tags."}
	}
	for k, v := range tags {
		if n := len([]rune(k)); n < 1 || n > 128 {
			return invalid(constraint(k, "tags", "Map keys must have length between 1 and 128"))
		}
		if len([]rune(v)) > 256 {
			return invalid(constraint(v, "tags."+k, "Member must have length less than or equal to 256"))
		}
	}
	return nil
}

func checkLimit(limit, most int) (int, error) {
	if limit == 0 {
		return most, nil
	}
	if limit < 1 || limit > most {
		return 0, invalid(constraint(strconv.Itoa(limit), "limit", fmt.Sprintf("Member must have value between 1 and %d", most)))
	}
	return limit, nil
}

func constraint(value, field, rule string) string {
	return fmt.Sprintf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, field, rule)
}

func invalid(msg string) error {
	return &localcloud.Error{Code: "InvalidParameterException", Message: msg}
}

func groupNotFound() error {
	return &localcloud.Error{Code: "ResourceNotFoundException", Message: "The specified log group does not exist."}
}

func streamNotFound() error {
	return &localcloud.Error{Code: "ResourceNotFoundException", Message: "The specified log stream does not exist."}
}
