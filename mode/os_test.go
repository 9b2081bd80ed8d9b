package mode

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseOS(t *testing.T) {
	cases := []struct {
		in   string
		want OS
	}{
		// Win32_OperatingSystem.Caption as Windows reports it.
		{"Microsoft Windows 11 Enterprise", Windows11},
		{"Microsoft Windows 10 Pro", Windows10},
		{"Microsoft Windows 10 Enterprise multi-session", Windows10},
		{"Microsoft Windows Server 2022 Datacenter", WindowsServer2022},
		{"Microsoft Windows Server 2019 Standard", WindowsServer2019},
		{"Microsoft Windows Server 2016 Datacenter", WindowsServer2016},
		{"Microsoft Windows Server 2012 R2 Standard", WindowsServer2012R2},
		{"Microsoft Windows Server 2008 R2 Enterprise", WindowsServer2008R2},
		{"Microsoft Windows Server 2025 Datacenter: Azure Edition", WindowsServer2025},
		// Names a person writes, and the documentation's.
		{"Windows Server, version 1803", WindowsServerSAC},
		{"Windows Server version 20H2", WindowsServerSAC},
		{"windows server, version 1909", WindowsServerSAC},
		{"win11", Windows11},
		{"Ubuntu 22.04.3 LTS", Linux},
		{"Red Hat Enterprise Linux 9.2", Linux},
		{"macOS 14 Sonoma", MacOS},
		{"Mac OS X 10.15", MacOS},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseOS(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestParseOSRejectsUnknownReleases(t *testing.T) {
	for _, in := range []string{"", "Windows", "Windows 8.1", "Windows 7 Professional", "Windows Server 2012", "Windows Server, version 1709", "Windows Server version", "FreeBSD 14", "Server 2003"} {
		t.Run(in, func(t *testing.T) {
			got, err := ParseOS(in)
			assert.Equal(t, OSUnknown, got)
			require.ErrorIs(t, err, ErrRange)
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, "OS", pe.Field)
		})
	}
}

func TestOSFamilyAndText(t *testing.T) {
	assert.Equal(t, FamilyClient, Windows10.Family())
	assert.Equal(t, FamilyServer, WindowsServer2012R2.Family())
	assert.Equal(t, FamilyLinux, Linux.Family())
	assert.Equal(t, FamilyMacOS, MacOS.Family())
	assert.Equal(t, FamilyUnknown, OS(99).Family())
	for o := OS(1); o < numOS; o++ {
		b, err := o.MarshalText()
		require.NoError(t, err)
		var back OS
		require.NoError(t, back.UnmarshalText(b), o.String())
		assert.Equal(t, o, back)
	}
}
