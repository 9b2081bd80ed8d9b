package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blockmode/blockmode/edr"
	"github.com/blockmode/blockmode/edr/boltstore"
)

func TestAgentOnTheBundledSample(t *testing.T) {
	db := filepath.Join(t.TempDir(), "history.db")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, options{db: db, os: "Windows Server 2022"}))
	s := out.String()
	for _, want := range []string{
		"EDR Block Mode, block mode on, 2 exclusions",
		`host: stop process 9412 (C:\Users\alex.wu\Downloads\invoice_2023-12.exe)`,
		"-> blocked: every artifact is remediated",
		"-> detected: informational detections are not remediated",
		"-> partially remediated: 1 artifact is remediated, 1 is left alone (first: evidence 2, excluded)",
		"action history: 6 records",
	} {
		assert.Contains(t, s, want)
	}
	// The detection handed in twice was acted on once.
	assert.Equal(t, 1, strings.Count(s, "host: stop process 9412"))

	// The history survives the process: reopen it and query.
	store, err := boltstore.Open(db, boltstore.Options{})
	require.NoError(t, err)
	defer store.Close()
	page, err := store.Query(context.Background(), edr.Query{Statuses: []edr.RecordStatus{edr.PartiallyRemediated}})
	require.NoError(t, err)
	require.Len(t, page.Records, 1)
	assert.Equal(t, "da638393001122334455_2001", page.Records[0].ID)
}

func TestAgentAuditModeCallsNoHook(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, options{db: filepath.Join(t.TempDir(), "h.db"), os: "Windows 11", audit: true}))
	assert.NotContains(t, out.String(), "host:")
	assert.Contains(t, out.String(), "would block (audit)")
}

func TestAgentRejectsBadInput(t *testing.T) {
	var out bytes.Buffer
	assert.Error(t, run(context.Background(), &out, options{os: "Windows 98"}))
	assert.Error(t, run(context.Background(), &out, options{os: "Windows 11", status: filepath.Join(t.TempDir(), "missing.json")}))
}
