#include "mzl/util/json_reader.h"

namespace mzl {

const JsonArray* JsonValue::as_array() const {
  auto* p = std::get_if<std::shared_ptr<JsonArray>>(&v_);
  return p ? p->get() : nullptr;
}
const JsonObject* JsonValue::as_object() const {
  auto* p = std::get_if<std::shared_ptr<JsonObject>>(&v_);
  return p ? p->get() : nullptr;
}
std::optional<uint64_t> JsonValue::as_uint64() const {
  return std::nullopt;
}
std::optional<int64_t> JsonValue::as_int64() const {
  return std::nullopt;
}
std::optional<double> JsonValue::as_double() const {
  return std::nullopt;
}
const JsonValue* JsonValue::find(std::string_view) const {
  return nullptr;
}

Result<JsonValue> parse_json(std::string_view, const std::string& where, std::string_view) {
  return Error{ErrorCode::kInternal, "not implemented"}.at_r(where);
}

JsonFields::JsonFields(const JsonObject& object, const std::string& where, std::string_view what,
                       std::string context)
    : object_(object), where_(where), what_(what), context_(std::move(context)) {}
Status JsonFields::get(std::string_view, std::string&, bool) const {
  return ok_status();
}
Status JsonFields::get(std::string_view, bool&, bool) const {
  return ok_status();
}
Status JsonFields::get(std::string_view, double&, bool) const {
  return ok_status();
}
Status JsonFields::get(std::string_view, std::vector<std::string>&, bool) const {
  return ok_status();
}
Status JsonFields::get(std::string_view, uint64_t&, bool) const {
  return ok_status();
}
Status JsonFields::get(std::string_view, int64_t&, bool) const {
  return ok_status();
}
const JsonValue* JsonFields::find(std::string_view) const {
  return nullptr;
}
Result<const JsonObject*> JsonFields::object(std::string_view, bool) const {
  return nullptr;
}
Result<const JsonArray*> JsonFields::array(std::string_view, bool) const {
  return nullptr;
}
Error JsonFields::wrong(std::string_view, std::string_view) const {
  return Error{};
}
Status JsonFields::missing(std::string_view, bool) const {
  return ok_status();
}

}  // namespace mzl
