// Package detect holds detections — alerts raised by Microsoft Defender
// for Endpoint's EDR sensor, its antivirus, PUA protection, custom detection
// rules and the other sources Microsoft 365 Defender knows — and their
// evidence, in the shape the Microsoft Graph security API v1.0 gives them
// (the "alert" resource of /security/alerts_v2, also called alerts v2),
// so that alerts exported from a real tenant can be fed in unchanged.
//
// What it owns:
//
//   - [Detection]: one alert: id, time, device, source (the Graph
//     detectionSource), category, severity, title, threat name, detection
//     status ([Detected], [Blocked], [Prevented]) and its evidence;
//   - [Evidence]: a closed union of [*FileEvidence] (path, SHA-1,
//     SHA-256, size, signer, ...), [*ProcessEvidence] (PID, image file,
//     command line, parent, start times) and [*OtherEvidence] for every other
//     kind (devices, users, IPs, URLs, mailboxes, kinds Graph adds later),
//     kept as raw JSON;
//   - the Graph enumerations as string types that keep unknown values
//     ([Source], [Severity], [DetectionStatus], [RemediationStatus], ...);
//   - JSON in and out: [json.Unmarshal] and [json.Marshal] read and write
//     Graph's alert objects, and a decoded alert encodes back to its input,
//     unknown properties, nulls and all, with changes made in Go applied;
//   - [Decoder]: a stream of alerts as JSON lines, a JSON array or a Graph
//     list response ({"value": [...]}) decoded one at a time in bounded
//     memory, where a bad record is a [*LineError] with its line number and
//     the stream goes on.
//
// What it does not do: it decides nothing. Whether block mode would
// remediate a detection, and with what actions, belongs to package
// remediate; exclusions and canonical paths belong to package exclusions.
// File paths in evidence are kept exactly as the platform reported them
// (real names on the device, not patterns a person typed).
//
// The property names and enumeration values follow the Graph reference
// pages (microsoftgraph/microsoft-graph-docs-contrib,
// api-reference/v1.0/resources/security-alert.md, security-alertevidence.md,
// security-fileevidence.md, security-processevidence.md,
// security-filedetails.md, security-deviceevidence.md); each enumeration's
// comment names the page its values come from.
//
// Errors: decoding never panics on any input (a fuzz test checks this) and
// every error is typed: [*FieldError] names the property (as a JSON path,
// e.g. "evidence[1].processId"), [*LineError] wraps the error of one record
// in a stream, [*StreamError] ends a stream whose framing is broken; the
// sentinels ([ErrMissingField], [ErrType], [ErrValue], [ErrSyntax],
// [ErrNotObject], [ErrTooLong], [ErrEncoding]) work with [errors.Is].
//
// Decoding is done by this package's own reader, not by reflection, for
// two reasons: to keep every property's raw bytes for the round trip, and
// for speed — it checks each byte about once (the fuzz test holds it to the same
// verdict as json.Valid) and allocates little.
package detect
