package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseSignature(t *testing.T) {
	mac := strings.Repeat("A", 43) // 32 zero bytes, unpadded base64url
	tests := []struct {
		name   string
		header string
		macs   int
		ok     bool
	}{
		{"as Sanity sends it", "t=1687514294250,v1=" + mac, 1, true},
		{"with spaces", " t=1687514294250 , v1=" + mac + " ", 1, true},
		{"separated by a space", "t=1687514294250 v1=" + mac, 1, true},
		{"padded", "t=1687514294250,v1=" + mac + "=", 1, true},
		{"two signatures during a rotation", "t=1687514294250,v1=" + mac + ",v1=" + mac, 2, true},
		{"unknown scheme ignored", "t=1687514294250,v0=whatever,v1=" + mac, 1, true},
		{"no timestamp", "v1=" + mac, 0, false},
		{"no signature", "t=1687514294250", 0, false},
		{"signed timestamp", "t=+1687514294250,v1=" + mac, 0, false},
		{"two timestamps", "t=1,t=2,v1=" + mac, 0, false},
		{"short MAC", "t=1687514294250,v1=AAAA", 0, false},
		{"part without =", "t=1687514294250,v1", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sig, err := parseSignature(tt.header)
			if !tt.ok {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Len(t, sig.macs, tt.macs)
			assert.Equal(t, time.UnixMilli(1687514294250), sig.at)
		})
	}
}
