#pragma once
// Go's number formatting, shared by the YAML and JSON printers and the model conversion, so that
// floats print as docker compose prints them (0.3 not 0.30000001192092896, 1e+06 in YAML); the
// loader's normalisation prints floats with format_g too.
#include <string>

namespace berth::gocompat {

/// strconv.FormatFloat(v, 'g', -1, 64): shortest digits, exponent form below 1e-4 and from 1e6.
std::string format_g(double v);

/// encoding/json's float64: shortest digits, plain form from 1e-6 up to 1e21, "1e-7" outside.
std::string format_json(double v);

/// The double whose shortest decimal form is the float32's shortest form (float32 0.3 -> 0.3), so
/// a float32 field prints with float32 precision as Go prints it.
double float32_value(float v);

}  // namespace berth::gocompat
