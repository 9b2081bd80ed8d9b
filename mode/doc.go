// Package mode owns what the built-in antivirus (Microsoft Defender
// Antivirus) is doing on a device and what follows from it: its running
// mode, the capabilities each mode has, how a device arrives at a mode, the
// platform and engine version numbers, and reading what the platform
// reports about itself.
//
// # Running modes
//
// [Mode] is the value Get-MpComputerStatus prints as AMRunningMode:
// "Normal" ([Active]), "Passive Mode" ([Passive]), "EDR Block Mode"
// ([EDRBlock]: passive mode plus EDR in block mode), "SxS Passive Mode"
// ([SxSPassive]) and "Not running" ([NotRunning]). [ParseMode] reads those
// strings and nothing else. [Mode.Supports] answers from the documented
// capability table: real-time protection, on-access scanning, network
// protection and attack surface reduction rules exist only in active mode,
// and block mode does not give them back.
//
// [Arrive] is the other direction: from [Facts] about a device (operating
// system, onboarding to the EDR service, another vendor's antivirus, the
// ForceDefenderPassiveMode registry value, ...) to the mode it runs in,
// following Microsoft's "Microsoft Defender Antivirus compatibility with
// other security products" page rule by rule. A fact that is not known is
// never guessed: the answer is Unknown and names it.
//
// # Versions
//
// [Version] is a four-part version such as the antimalware platform
// version AMProductVersion "4.18.2001.10" or the engine version
// AMEngineVersion "1.1.16700.2", ordered part by part as numbers.
//
// # Platform output
//
// [ParseStatus] and [ParsePreferences] read what Get-MpComputerStatus and
// Get-MpPreference print, in the forms people actually have at hand: JSON
// from "| ConvertTo-Json" in Windows PowerShell 5.1 (dates as
// "\/Date(ms)\/", UTF-16 when redirected with ">") and PowerShell 7 (ISO
// dates, a depth warning before the JSON), the console's list form
// (Format-List, with wrapped values) and table form, and "sc query
// windefend". Properties the package does not type are kept, not dropped.
// Properties the platform did not report stay distinguishable from false
// ([Bool] is three-valued). Bad input is a [*ParseError] naming the
// property and value, wrapping one of the Err* sentinels; input is never
// read beyond a limit ([Parser.MaxBytes]).
//
// This package does not decide whether EDR in block mode is eligible or in
// effect (package edr does), and does not read exclusion lists beyond
// returning them as strings (package exclusions compiles them).
package mode
