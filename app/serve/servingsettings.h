#pragma once

namespace digitdesk::app {

// Workspace settings the endpoint reads (and re-reads while it runs).
inline constexpr const char *CaptureThresholdSetting = "serving.capture_threshold";
inline constexpr const char *CaptureEnabledSetting = "serving.capture";
inline constexpr const char *TokenSetting = "serving.token";
inline constexpr double DefaultCaptureThreshold = 0.6;
inline constexpr int MinimumTokenLength = 16;

} // namespace digitdesk::app
