package topics_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/stepforge/stepforge/pkg/localcloud/topics"
)

func TestFilterPolicyLanguage(t *testing.T) {
	attrs := map[string]topics.MessageAttribute{
		"store":    {DataType: "String", StringValue: "example_corp"},
		"event":    {DataType: "String", StringValue: "order_placed"},
		"price":    {DataType: "Number", StringValue: "210.75"},
		"customer": {DataType: "String.Array", StringValue: `["platinum","gold"]`},
		"ip":       {DataType: "String", StringValue: "10.0.0.7"},
		"blob":     {DataType: "Binary", BinaryValue: []byte("example_corp")},
	}
	body := `{"store":"example_corp","order":{"price":210.75,"items":["pizza","cola"],"note":null},"Event":"Order_Placed"}`
	for _, tc := range []struct {
		name, policy string
		body         bool
		want         bool
	}{
		{"exact", `{"store":["example_corp"]}`, false, true},
		{"exact miss", `{"store":["other"]}`, false, false},
		{"every key", `{"store":["example_corp"],"event":["cancelled"]}`, false, false},
		{"any value", `{"event":["cancelled","order_placed"]}`, false, true},
		{"prefix", `{"event":[{"prefix":"order_"}]}`, false, true},
		{"suffix", `{"event":[{"suffix":"_placed"}]}`, false, true},
		{"equals-ignore-case", `{"store":[{"equals-ignore-case":"EXAMPLE_CORP"}]}`, false, true},
		{"anything-but", `{"event":[{"anything-but":["order_cancelled"]}]}`, false, true},
		{"anything-but miss", `{"event":[{"anything-but":"order_placed"}]}`, false, false},
		{"anything-but prefix", `{"event":[{"anything-but":{"prefix":"order"}}]}`, false, false},
		{"numeric range", `{"price":[{"numeric":[">=",100,"<",300]}]}`, false, true},
		{"numeric miss", `{"price":[{"numeric":["<",100]}]}`, false, false},
		{"exact number", `{"price":[210.75]}`, false, true},
		{"string does not match a number", `{"price":["210.75"]}`, false, false},
		{"array attribute", `{"customer":["gold"]}`, false, true},
		{"exists", `{"store":[{"exists":true}]}`, false, true},
		{"not exists", `{"coupon":[{"exists":false}]}`, false, true},
		{"not exists miss", `{"store":[{"exists":false}]}`, false, false},
		{"absent key", `{"coupon":["x"]}`, false, false},
		{"binary is not matched", `{"blob":["example_corp"]}`, false, false},
		{"cidr", `{"ip":[{"cidr":"10.0.0.0/24"}]}`, false, true},
		{"$or", `{"$or":[{"store":["nope"]},{"event":["order_placed"]}]}`, false, true},
		{"$or miss", `{"$or":[{"store":["nope"]},{"event":["nope"]}]}`, false, false},
		{"body exact", `{"store":["example_corp"]}`, true, true},
		{"body nested numeric", `{"order":{"price":[{"numeric":[">",200]}]}}`, true, true},
		{"body array", `{"order":{"items":["cola"]}}`, true, true},
		{"body null", `{"order":{"note":[null]}}`, true, true},
		{"body nested miss", `{"order":{"price":[1]}}`, true, false},
		{"body absent nested", `{"delivery":{"zone":["a"]}}`, true, false},
		{"body case", `{"Event":[{"equals-ignore-case":"order_placed"}]}`, true, true},
	} {
		m := &topics.Message{Message: body, MessageAttributes: attrs}
		sub := map[string]string{"FilterPolicy": tc.policy}
		if tc.body {
			sub["FilterPolicyScope"] = "MessageBody"
		}
		assert.Equal(t, tc.want, topics.FilterAccepts(sub, m), tc.name)
	}
	assert.True(t, topics.FilterAccepts(nil, &topics.Message{}), "no policy takes everything")
}
