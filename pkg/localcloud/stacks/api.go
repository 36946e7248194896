package stacks

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/cfnengine"
)

// Name is CloudFormation's signing name.
func (s *Service) Name() string { return "cloudformation" }

// Protocol is CloudFormation's query protocol.
func (s *Service) Protocol() localcloud.Protocol {
	return localcloud.Query("http://cloudformation.amazonaws.com/doc/2010-05-15/", "2010-05-15")
}

type qParameter struct {
	ParameterKey, ParameterValue string
	UsePreviousValue             bool
}

type qTag struct{ Key, Value string }

type stackIn struct {
	StackName, TemplateBody, TemplateURL string
	UsePreviousTemplate                  bool
	Parameters                           []qParameter
	Capabilities                         []string
	Tags                                 []qTag
	DisableRollback                      bool
	OnFailure                            string
	NotificationARNs                     []string
	ClientRequestToken                   string
	ChangeSetName, ChangeSetType         string
	Description                          string
	NextToken                            string
	LogicalResourceID                    string `query:"LogicalResourceId"`
	PhysicalResourceID                   string `query:"PhysicalResourceId"`
	StackStatusFilter                    []string
}

func (in *stackIn) input() (*StackInput, error) {
	out := &StackInput{StackName: in.StackName, TemplateBody: in.TemplateBody, TemplateURL: in.TemplateURL,
		UsePreviousTemplate: in.UsePreviousTemplate, Capabilities: in.Capabilities, DisableRollback: in.DisableRollback,
		NotificationARNs: in.NotificationARNs, ClientRequestToken: in.ClientRequestToken}
	switch in.OnFailure {
	case "", "ROLLBACK":
	case "DO_NOTHING":
		out.DisableRollback = true
	default:
		return nil, validation("OnFailure %s is not supported by the local cloud: use ROLLBACK or DO_NOTHING", in.OnFailure)
	}
	for _, p := range in.Parameters {
		out.Parameters = append(out.Parameters, Parameter{Key: p.ParameterKey, Value: p.ParameterValue, UsePreviousValue: p.UsePreviousValue})
	}
	if in.Tags != nil {
		out.Tags = map[string]string{}
		for _, t := range in.Tags {
			out.Tags[t.Key] = t.Value
		}
	}
	return out, nil
}

// Call runs a CloudFormation operation.
func (s *Service) Call(ctx context.Context, op string, req *localcloud.Request) (any, error) {
	var in stackIn
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	switch op {
	case "CreateStack":
		si, err := in.input()
		if err != nil {
			return nil, err
		}
		id, err := s.CreateStack(ctx, si)
		return stackIDResult{StackID: id}, err
	case "UpdateStack":
		si, err := in.input()
		if err != nil {
			return nil, err
		}
		id, err := s.UpdateStack(ctx, si)
		return stackIDResult{StackID: id}, err
	case "DeleteStack":
		return nil, s.DeleteStack(ctx, in.StackName)
	case "CreateChangeSet":
		si, err := in.input()
		if err != nil {
			return nil, err
		}
		id, stackID, err := s.CreateChangeSet(ctx, &ChangeSetInput{StackInput: *si, ChangeSetName: in.ChangeSetName, ChangeSetType: in.ChangeSetType, Description: in.Description})
		return changeSetIDResult{ID: id, StackID: stackID}, err
	case "DescribeChangeSet":
		cs, err := s.DescribeChangeSet(ctx, in.ChangeSetName, in.StackName)
		if err != nil {
			return nil, err
		}
		return describeChangeSet(cs), nil
	case "ExecuteChangeSet":
		return nil, s.ExecuteChangeSet(ctx, in.ChangeSetName, in.StackName, in.ClientRequestToken, in.DisableRollback)
	case "DeleteChangeSet":
		return nil, s.DeleteChangeSet(ctx, in.ChangeSetName, in.StackName)
	case "ListChangeSets":
		sets, err := s.ListChangeSets(ctx, in.StackName)
		if err != nil {
			return nil, err
		}
		out := listChangeSetsResult{}
		for _, cs := range sets {
			out.Summaries = append(out.Summaries, changeSetSummary{StackID: cs.StackID, StackName: cs.StackName, ChangeSetID: cs.ID,
				ChangeSetName: cs.Name, ExecutionStatus: cs.ExecutionStatus, Status: cs.Status, StatusReason: cs.StatusReason,
				CreationTime: cs.Created, Description: cs.Description})
		}
		return out, nil
	case "DescribeStacks":
		return s.describeStacks(ctx, in.StackName)
	case "DescribeStackEvents":
		evs, err := s.Events(ctx, in.StackName)
		if err != nil {
			return nil, err
		}
		page, next, err := paginate(evs, in.NextToken, 100)
		if err != nil {
			return nil, err
		}
		out := stackEventsResult{NextToken: next}
		for _, e := range page {
			out.StackEvents = append(out.StackEvents, stackEvent{StackID: e.StackID, EventID: e.EventID, StackName: e.StackName,
				LogicalResourceID: e.LogicalResourceID, PhysicalResourceID: e.PhysicalResourceID, ResourceType: e.ResourceType,
				Timestamp: e.Timestamp, ResourceStatus: e.ResourceStatus, ResourceStatusReason: e.StatusReason,
				ResourceProperties: e.ResourceProperties, ClientRequestToken: e.ClientRequestToken})
		}
		return out, nil
	case "DescribeStackResources":
		if in.StackName == "" && in.PhysicalResourceID != "" {
			name, err := s.stackOfPhysical(ctx, in.PhysicalResourceID)
			if err != nil {
				return nil, err
			}
			in.StackName = name
		}
		st, err := s.Describe(ctx, in.StackName)
		if err != nil {
			return nil, err
		}
		out := stackResourcesResult{StackResources: []stackResource{}}
		for _, r := range sortedResources(st) {
			if in.LogicalResourceID != "" && r.LogicalID != in.LogicalResourceID {
				continue
			}
			out.StackResources = append(out.StackResources, stackResource{StackName: st.Name, StackID: st.ID, LogicalResourceID: r.LogicalID,
				PhysicalResourceID: r.PhysicalID, ResourceType: r.Type, Timestamp: r.Updated, ResourceStatus: r.Status,
				ResourceStatusReason: r.StatusReason, DriftInformation: &drift{StackResourceDriftStatus: "NOT_CHECKED"}})
		}
		return out, nil
	case "DescribeStackResource":
		st, err := s.Describe(ctx, in.StackName)
		if err != nil {
			return nil, err
		}
		r := st.Resources[in.LogicalResourceID]
		if r == nil {
			return nil, validation("Resource %s does not exist for stack %s", in.LogicalResourceID, in.StackName)
		}
		return stackResourceResult{Detail: stackResourceDetail{StackName: st.Name, StackID: st.ID, LogicalResourceID: r.LogicalID,
			PhysicalResourceID: r.PhysicalID, ResourceType: r.Type, LastUpdatedTimestamp: r.Updated, ResourceStatus: r.Status,
			ResourceStatusReason: r.StatusReason, Metadata: metadataOf(st, r.LogicalID),
			DriftInformation: &drift{StackResourceDriftStatus: "NOT_CHECKED"}}}, nil
	case "ListStackResources":
		st, err := s.Describe(ctx, in.StackName)
		if err != nil {
			return nil, err
		}
		all := sortedResources(st)
		page, next, err := paginate(all, in.NextToken, 100)
		if err != nil {
			return nil, err
		}
		out := listStackResourcesResult{NextToken: next, Summaries: []stackResourceSummary{}}
		for _, r := range page {
			out.Summaries = append(out.Summaries, stackResourceSummary{LogicalResourceID: r.LogicalID, PhysicalResourceID: r.PhysicalID,
				ResourceType: r.Type, LastUpdatedTimestamp: r.Updated, ResourceStatus: r.Status, ResourceStatusReason: r.StatusReason,
				DriftInformation: &drift{StackResourceDriftStatus: "NOT_CHECKED"}})
		}
		return out, nil
	case "ListStacks":
		all, err := s.List(ctx, true)
		if err != nil {
			return nil, err
		}
		var list []*stackRecord
		for _, st := range all {
			if len(in.StackStatusFilter) == 0 || slices.Contains(in.StackStatusFilter, st.Status) {
				list = append(list, st)
			}
		}
		slices.Reverse(list)
		page, next, err := paginate(list, in.NextToken, 100)
		if err != nil {
			return nil, err
		}
		out := listStacksResult{NextToken: next, Summaries: []stackSummary{}}
		for _, st := range page {
			out.Summaries = append(out.Summaries, stackSummary{StackID: st.ID, StackName: st.Name, TemplateDescription: st.Description,
				CreationTime: st.Created, LastUpdatedTime: timePtr(st.LastUpdated), DeletionTime: timePtr(st.Deleted),
				StackStatus: st.Status, StackStatusReason: st.StatusReason, DriftInformation: &stackDrift{StackDriftStatus: "NOT_CHECKED"}})
		}
		return out, nil
	case "GetTemplate":
		if in.ChangeSetName != "" {
			cs, err := s.DescribeChangeSet(ctx, in.ChangeSetName, in.StackName)
			if err != nil {
				return nil, err
			}
			return templateResult{TemplateBody: cs.TemplateBody, StagesAvailable: []string{"Original", "Processed"}}, nil
		}
		st, err := s.Describe(ctx, in.StackName)
		if err != nil {
			return nil, err
		}
		return templateResult{TemplateBody: st.TemplateBody, StagesAvailable: []string{"Original", "Processed"}}, nil
	case "ValidateTemplate":
		return s.validateTemplate(ctx, &in)
	case "ListExports":
		exps, err := s.ListExports(ctx)
		if err != nil {
			return nil, err
		}
		out := listExportsResult{Exports: []exportEntry{}}
		for _, e := range exps {
			out.Exports = append(out.Exports, exportEntry{ExportingStackID: e.StackID, Name: e.Name, Value: e.Value})
		}
		return out, nil
	}
	return nil, localcloud.ErrUnknownOperation
}

func metadataOf(st *stackRecord, name string) string {
	t, err := cfnengine.Parse([]byte(st.TemplateBody))
	if err != nil || t.Resources[name] == nil || t.Resources[name].Metadata == nil {
		return ""
	}
	return string(canonical(t.Resources[name].Metadata))
}

func (s *Service) stackOfPhysical(ctx context.Context, physical string) (string, error) {
	stacks, err := s.List(ctx, false)
	if err != nil {
		return "", err
	}
	for _, st := range stacks {
		for _, r := range st.Resources {
			if r.PhysicalID == physical {
				return st.Name, nil
			}
		}
	}
	return "", validation("Stack for %s does not exist", physical)
}

func sortedResources(st *stackRecord) []*resourceRecord {
	out := make([]*resourceRecord, 0, len(st.Resources))
	for _, r := range st.Resources {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b *resourceRecord) int { return strings.Compare(a.LogicalID, b.LogicalID) })
	return out
}

// paginate returns the page of list a NextToken (an offset) starts.
func paginate[T any](list []T, token string, size int) ([]T, string, error) {
	start := 0
	if token != "" {
		n, err := strconv.Atoi(token)
		if err != nil || n < 0 || n > len(list) {
			return nil, "", validation("Invalid NextToken")
		}
		start = n
	}
	end := min(start+size, len(list))
	next := ""
	if end < len(list) {
		next = strconv.Itoa(end)
	}
	return list[start:end], next, nil
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func (s *Service) describeStacks(ctx context.Context, name string) (any, error) {
	var list []*stackRecord
	if name != "" {
		st, err := s.Describe(ctx, name)
		if err != nil {
			return nil, err
		}
		list = []*stackRecord{st}
	} else {
		var err error
		if list, err = s.List(ctx, false); err != nil {
			return nil, err
		}
	}
	out := describeStacksResult{Stacks: []stackOut{}}
	for _, st := range list {
		so := stackOut{StackID: st.ID, StackName: st.Name, ChangeSetID: st.ChangeSetID, Description: st.Description,
			CreationTime: st.Created, LastUpdatedTime: timePtr(st.LastUpdated), DeletionTime: timePtr(st.Deleted),
			StackStatus: st.Status, StackStatusReason: st.StatusReason, DisableRollback: st.DisableRollback,
			Capabilities: st.Capabilities, NotificationARNs: st.Notification, DriftInformation: &stackDrift{StackDriftStatus: "NOT_CHECKED"},
			EnableTerminationProtection: false}
		for _, p := range st.Parameters {
			v := p.Value
			if p.NoEcho {
				v = "****"
			}
			so.Parameters = append(so.Parameters, parameterOut{ParameterKey: p.Key, ParameterValue: v})
		}
		for _, o := range st.Outputs {
			v := o.Value
			if s.outputValue != nil {
				v = s.outputValue(v)
			}
			so.Outputs = append(so.Outputs, outputOut{OutputKey: o.Key, OutputValue: v, Description: o.Description, ExportName: o.ExportName})
		}
		for _, k := range sortedKeys(st.Tags) {
			so.Tags = append(so.Tags, qTag{Key: k, Value: st.Tags[k]})
		}
		out.Stacks = append(out.Stacks, so)
	}
	return out, nil
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func (s *Service) validateTemplate(ctx context.Context, in *stackIn) (any, error) {
	body, err := s.template(ctx, &StackInput{TemplateBody: in.TemplateBody, TemplateURL: in.TemplateURL}, nil)
	if err != nil {
		return nil, err
	}
	t, err := cfnengine.Parse([]byte(body))
	if err != nil {
		return nil, asValidation(err)
	}
	if err := staticCheck(t, hasLanguageExtensions(body)); err != nil {
		return nil, err
	}
	out := validateResult{Description: t.Description, Parameters: []validateParameter{}}
	noEcho := map[string]bool{}
	for _, n := range cfnengine.NoEchoParameters(t) {
		noEcho[n] = true
	}
	names := make([]string, 0, len(t.Parameters))
	for n := range t.Parameters {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		p := t.Parameters[n]
		vp := validateParameter{ParameterKey: n, NoEcho: noEcho[n]}
		if d, ok := p["Default"]; ok {
			vp.DefaultValue = scalarString(d)
		}
		vp.Description, _ = p["Description"].(string)
		out.Parameters = append(out.Parameters, vp)
	}
	if c := requiredCapability(t); c != "" {
		out.Capabilities = []string{c}
		out.CapabilitiesReason = "The following resource(s) require capabilities: [" + strings.Join(iamTypes(t), ", ") + "]"
	}
	return out, nil
}

func iamTypes(t *cfnengine.Template) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range t.Resources {
		if strings.HasPrefix(r.Type, "AWS::IAM::") && !seen[r.Type] {
			seen[r.Type] = true
			out = append(out, r.Type)
		}
	}
	slices.Sort(out)
	return out
}

func describeChangeSet(cs *changeSetRecord) changeSetOut {
	out := changeSetOut{ChangeSetName: cs.Name, ChangeSetID: cs.ID, StackID: cs.StackID, StackName: cs.StackName,
		Description: cs.Description, CreationTime: cs.Created, ExecutionStatus: cs.ExecutionStatus, Status: cs.Status,
		StatusReason: cs.StatusReason, Capabilities: cs.Capabilities, Changes: []changeOut{}}
	for _, p := range cs.Parameters {
		v := p.Value
		if p.NoEcho {
			v = "****"
		}
		out.Parameters = append(out.Parameters, parameterOut{ParameterKey: p.Key, ParameterValue: v})
	}
	for _, k := range sortedKeys(cs.Tags) {
		out.Tags = append(out.Tags, qTag{Key: k, Value: cs.Tags[k]})
	}
	for _, c := range cs.Changes {
		rc := resourceChange{Action: c.Action, LogicalResourceID: c.LogicalResourceID, PhysicalResourceID: c.PhysicalResourceID,
			ResourceType: c.ResourceType, Replacement: c.Replacement, Scope: c.Scope, Details: []detailOut{}}
		for _, d := range c.Details {
			rc.Details = append(rc.Details, detailOut{Target: targetOut{Attribute: d.Attribute, Name: d.Name, RequiresRecreation: d.RequiresRecreation},
				Evaluation: d.Evaluation, ChangeSource: d.ChangeSource, CausingEntity: d.CausingEntity})
		}
		out.Changes = append(out.Changes, changeOut{Type: "Resource", ResourceChange: rc})
	}
	return out
}

// The XML shapes of the results, as CloudFormation's API reference gives
// them (member-wrapped lists).
type stackIDResult struct {
	StackID string `xml:"StackId,omitempty"`
}

type changeSetIDResult struct {
	ID      string `xml:"Id"`
	StackID string `xml:"StackId"`
}

type parameterOut struct {
	ParameterKey   string
	ParameterValue string
}

type outputOut struct {
	OutputKey   string
	OutputValue string
	Description string `xml:",omitempty"`
	ExportName  string `xml:",omitempty"`
}

type stackDrift struct{ StackDriftStatus string }
type drift struct{ StackResourceDriftStatus string }

type stackOut struct {
	StackID                     string         `xml:"StackId"`
	StackName                   string         `xml:"StackName"`
	ChangeSetID                 string         `xml:"ChangeSetId,omitempty"`
	Description                 string         `xml:",omitempty"`
	Parameters                  []parameterOut `xml:"Parameters>member"`
	CreationTime                time.Time
	LastUpdatedTime             *time.Time `xml:",omitempty"`
	DeletionTime                *time.Time `xml:",omitempty"`
	StackStatus                 string
	StackStatusReason           string      `xml:",omitempty"`
	DisableRollback             bool        `xml:"DisableRollback"`
	NotificationARNs            []string    `xml:"NotificationARNs>member"`
	Capabilities                []string    `xml:"Capabilities>member"`
	Outputs                     []outputOut `xml:"Outputs>member"`
	Tags                        []qTag      `xml:"Tags>member"`
	EnableTerminationProtection bool
	DriftInformation            *stackDrift
}

type describeStacksResult struct {
	Stacks []stackOut `xml:"Stacks>member"`
}

type stackEvent struct {
	StackID              string `xml:"StackId"`
	EventID              string `xml:"EventId"`
	StackName            string
	LogicalResourceID    string `xml:"LogicalResourceId"`
	PhysicalResourceID   string `xml:"PhysicalResourceId"`
	ResourceType         string
	Timestamp            time.Time
	ResourceStatus       string
	ResourceStatusReason string `xml:",omitempty"`
	ResourceProperties   string `xml:",omitempty"`
	ClientRequestToken   string `xml:",omitempty"`
}

type stackEventsResult struct {
	StackEvents []stackEvent `xml:"StackEvents>member"`
	NextToken   string       `xml:",omitempty"`
}

type stackResource struct {
	StackName            string
	StackID              string `xml:"StackId"`
	LogicalResourceID    string `xml:"LogicalResourceId"`
	PhysicalResourceID   string `xml:"PhysicalResourceId,omitempty"`
	ResourceType         string
	Timestamp            time.Time
	ResourceStatus       string
	ResourceStatusReason string `xml:",omitempty"`
	DriftInformation     *drift
}

type stackResourcesResult struct {
	StackResources []stackResource `xml:"StackResources>member"`
}

type stackResourceDetail struct {
	StackName            string
	StackID              string `xml:"StackId"`
	LogicalResourceID    string `xml:"LogicalResourceId"`
	PhysicalResourceID   string `xml:"PhysicalResourceId,omitempty"`
	ResourceType         string
	LastUpdatedTimestamp time.Time
	ResourceStatus       string
	ResourceStatusReason string `xml:",omitempty"`
	Metadata             string `xml:",omitempty"`
	DriftInformation     *drift
}

type stackResourceResult struct {
	Detail stackResourceDetail `xml:"StackResourceDetail"`
}

type stackResourceSummary struct {
	LogicalResourceID    string `xml:"LogicalResourceId"`
	PhysicalResourceID   string `xml:"PhysicalResourceId,omitempty"`
	ResourceType         string
	LastUpdatedTimestamp time.Time
	ResourceStatus       string
	ResourceStatusReason string `xml:",omitempty"`
	DriftInformation     *drift
}

type listStackResourcesResult struct {
	Summaries []stackResourceSummary `xml:"StackResourceSummaries>member"`
	NextToken string                 `xml:",omitempty"`
}

type stackSummary struct {
	StackID             string `xml:"StackId"`
	StackName           string
	TemplateDescription string `xml:",omitempty"`
	CreationTime        time.Time
	LastUpdatedTime     *time.Time `xml:",omitempty"`
	DeletionTime        *time.Time `xml:",omitempty"`
	StackStatus         string
	StackStatusReason   string `xml:",omitempty"`
	DriftInformation    *stackDrift
}

type listStacksResult struct {
	Summaries []stackSummary `xml:"StackSummaries>member"`
	NextToken string         `xml:",omitempty"`
}

type templateResult struct {
	TemplateBody    string
	StagesAvailable []string `xml:"StagesAvailable>member"`
}

type validateParameter struct {
	ParameterKey string
	DefaultValue string `xml:",omitempty"`
	NoEcho       bool
	Description  string `xml:",omitempty"`
}

type validateResult struct {
	Parameters         []validateParameter `xml:"Parameters>member"`
	Description        string              `xml:",omitempty"`
	Capabilities       []string            `xml:"Capabilities>member"`
	CapabilitiesReason string              `xml:",omitempty"`
}

type exportEntry struct {
	ExportingStackID string `xml:"ExportingStackId"`
	Name, Value      string
}

type listExportsResult struct {
	Exports []exportEntry `xml:"Exports>member"`
}

type changeSetSummary struct {
	StackID         string `xml:"StackId"`
	StackName       string
	ChangeSetID     string `xml:"ChangeSetId"`
	ChangeSetName   string
	ExecutionStatus string
	Status          string
	StatusReason    string `xml:",omitempty"`
	CreationTime    time.Time
	Description     string `xml:",omitempty"`
}

type listChangeSetsResult struct {
	Summaries []changeSetSummary `xml:"Summaries>member"`
}

type targetOut struct {
	Attribute          string
	Name               string `xml:",omitempty"`
	RequiresRecreation string
}

type detailOut struct {
	Target        targetOut
	Evaluation    string
	ChangeSource  string
	CausingEntity string `xml:",omitempty"`
}

type resourceChange struct {
	Action             string
	LogicalResourceID  string `xml:"LogicalResourceId"`
	PhysicalResourceID string `xml:"PhysicalResourceId,omitempty"`
	ResourceType       string
	Replacement        string      `xml:",omitempty"`
	Scope              []string    `xml:"Scope>member"`
	Details            []detailOut `xml:"Details>member"`
}

type changeOut struct {
	Type           string
	ResourceChange resourceChange
}

type changeSetOut struct {
	ChangeSetName   string
	ChangeSetID     string `xml:"ChangeSetId"`
	StackID         string `xml:"StackId"`
	StackName       string
	Description     string         `xml:",omitempty"`
	Parameters      []parameterOut `xml:"Parameters>member"`
	CreationTime    time.Time
	ExecutionStatus string
	Status          string
	StatusReason    string      `xml:",omitempty"`
	Capabilities    []string    `xml:"Capabilities>member"`
	Tags            []qTag      `xml:"Tags>member"`
	Changes         []changeOut `xml:"Changes>member"`
}
