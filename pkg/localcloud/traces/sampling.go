package traces

import (
	"context"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// The local cloud's one sampling rule samples every request: AWS's own
// Default rule keeps one request a second and 5% of the rest, which
// suits a fleet's bill, not a developer reading one execution's trace.
const (
	defaultRule      = "Default"
	defaultRate      = 1.0
	defaultReservoir = 1
	// targetInterval is how often (seconds) the SDKs should report their
	// sampling statistics, as X-Ray answers.
	targetInterval = 10
)

// rulesEpoch is when the Default rule was created and last modified: a
// fixed time, so the SDKs never see it change.
var rulesEpoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// SamplingRule is a sampling rule as GetSamplingRules answers it.
type SamplingRule struct {
	RuleName      string            `json:"RuleName"`
	RuleARN       string            `json:"RuleARN"`
	ResourceARN   string            `json:"ResourceARN"`
	Priority      int               `json:"Priority"`
	FixedRate     float64           `json:"FixedRate"`
	ReservoirSize int               `json:"ReservoirSize"`
	ServiceName   string            `json:"ServiceName"`
	ServiceType   string            `json:"ServiceType"`
	Host          string            `json:"Host"`
	HTTPMethod    string            `json:"HTTPMethod"`
	URLPath       string            `json:"URLPath"`
	Version       int               `json:"Version"`
	Attributes    map[string]string `json:"Attributes"`
}

// SamplingRuleRecord is a rule with its times.
type SamplingRuleRecord struct {
	SamplingRule SamplingRule    `json:"SamplingRule"`
	CreatedAt    localcloud.Time `json:"CreatedAt"`
	ModifiedAt   localcloud.Time `json:"ModifiedAt"`
}

// GetSamplingRulesOutput is GetSamplingRules' answer.
type GetSamplingRulesOutput struct {
	SamplingRuleRecords []SamplingRuleRecord `json:"SamplingRuleRecords"`
}

// GetSamplingRules answers the one rule: Default, every request sampled.
func (s *Service) GetSamplingRules(ctx context.Context, region string) *GetSamplingRulesOutput {
	if region == "" {
		region = localcloud.Region
	}
	return &GetSamplingRulesOutput{SamplingRuleRecords: []SamplingRuleRecord{{
		SamplingRule: SamplingRule{
			RuleName: defaultRule, RuleARN: "arn:aws:xray:" + region + ":" + localcloud.Account + ":sampling-rule/" + defaultRule,
			ResourceARN: "*", Priority: 10000, FixedRate: defaultRate, ReservoirSize: defaultReservoir,
			ServiceName: "*", ServiceType: "*", Host: "*", HTTPMethod: "*", URLPath: "*", Version: 1, Attributes: map[string]string{},
		},
		CreatedAt: localcloud.Time(rulesEpoch), ModifiedAt: localcloud.Time(rulesEpoch),
	}}}
}

// SamplingStatistics is one SDK's report of a rule's use.
type SamplingStatistics struct {
	RuleName     string          `json:"RuleName"`
	ClientID     string          `json:"ClientID"`
	Timestamp    localcloud.Time `json:"Timestamp"`
	RequestCount int             `json:"RequestCount"`
	SampledCount int             `json:"SampledCount"`
	BorrowCount  int             `json:"BorrowCount"`
}

// SamplingTarget is the quota X-Ray gives an SDK for a rule.
type SamplingTarget struct {
	RuleName          string          `json:"RuleName"`
	FixedRate         float64         `json:"FixedRate"`
	ReservoirQuota    int             `json:"ReservoirQuota"`
	ReservoirQuotaTTL localcloud.Time `json:"ReservoirQuotaTTL"`
	Interval          int             `json:"Interval"`
}

// UnprocessedStatistics is a report GetSamplingTargets could not use.
type UnprocessedStatistics struct {
	RuleName  string `json:"RuleName"`
	ErrorCode string `json:"ErrorCode"`
	Message   string `json:"Message"`
}

// GetSamplingTargetsOutput is GetSamplingTargets' answer.
type GetSamplingTargetsOutput struct {
	SamplingTargetDocuments []SamplingTarget        `json:"SamplingTargetDocuments"`
	LastRuleModification    localcloud.Time         `json:"LastRuleModification"`
	UnprocessedStatistics   []UnprocessedStatistics `json:"UnprocessedStatistics"`
}

// GetSamplingTargets answers each report on the Default rule with the
// full rate; a report on another rule is unprocessed.
func (s *Service) GetSamplingTargets(ctx context.Context, stats []SamplingStatistics) *GetSamplingTargetsOutput {
	out := &GetSamplingTargetsOutput{LastRuleModification: localcloud.Time(rulesEpoch),
		SamplingTargetDocuments: []SamplingTarget{}, UnprocessedStatistics: []UnprocessedStatistics{}}
	for _, st := range stats {
		if st.RuleName != defaultRule {
			out.UnprocessedStatistics = append(out.UnprocessedStatistics, UnprocessedStatistics{RuleName: st.RuleName, ErrorCode: "400", Message: "Unknown rule: " + st.RuleName})
			continue
		}
		out.SamplingTargetDocuments = append(out.SamplingTargetDocuments, SamplingTarget{RuleName: defaultRule, FixedRate: defaultRate,
			ReservoirQuota: defaultReservoir, ReservoirQuotaTTL: localcloud.Time(s.now().Add(targetInterval * time.Second)), Interval: targetInterval})
	}
	return out
}
