#include "cli/json_text.hpp"

#include <cstdint>
#include <string>

#include "core/error.hpp"
#include "core/pg_free.hpp"

namespace pgdb::cli {

namespace {

constexpr int max_depth = 100;

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Json document() {
    Json value = parse_value(0);
    skip_space();
    if (at_ < text_.size()) fail("unexpected text after the value");
    return value;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(sqlstate::data_corrupted, "table definition is not valid JSON: " + what,
                "At byte " + std::to_string(at_) + " of the definition.");
  }

  void skip_space() {
    while (at_ < text_.size() &&
           (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\n' || text_[at_] == '\r'))
      ++at_;
  }

  bool take(char c) {
    skip_space();
    if (at_ < text_.size() && text_[at_] == c) {
      ++at_;
      return true;
    }
    return false;
  }

  void expect(char c) {
    if (!take(c)) fail(std::string("expected '") + c + "'");
  }

  bool take_word(std::string_view word) {
    if (text_.substr(at_, word.size()) != word) return false;
    at_ += word.size();
    return true;
  }

  Json parse_value(int depth) {
    if (depth > max_depth) fail("nested too deeply");
    skip_space();
    if (at_ >= text_.size()) fail("the text ends where a value should be");
    char c = text_[at_];
    if (c == '{') return parse_object(depth);
    if (c == '[') return parse_array(depth);
    if (c == '"') return Json::from_string(parse_string());
    if (take_word("true")) return Json::from_bool(true);
    if (take_word("false")) return Json::from_bool(false);
    if (take_word("null")) return Json::null_value();
    if (c == '-' || (c >= '0' && c <= '9')) return parse_number();
    fail("unexpected character");
  }

  Json parse_object(int depth) {
    ++at_;
    Json object = Json::object();
    if (take('}')) return object;
    do {
      skip_space();
      if (at_ >= text_.size() || text_[at_] != '"') fail("expected a member name");
      std::string key = parse_string();
      expect(':');
      object.set(std::move(key), parse_value(depth + 1));
    } while (take(','));
    expect('}');
    return object;
  }

  Json parse_array(int depth) {
    ++at_;
    Json array = Json::array();
    if (take(']')) return array;
    do {
      array.items.push_back(parse_value(depth + 1));
    } while (take(','));
    expect(']');
    return array;
  }

  bool digit() const { return at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9'; }

  Json parse_number() {
    std::size_t start = at_;
    if (text_[at_] == '-') ++at_;
    if (!digit()) fail("a number without digits");
    if (text_[at_] == '0')
      ++at_;
    else
      while (digit()) ++at_;
    if (at_ < text_.size() && text_[at_] == '.') {
      ++at_;
      if (!digit()) fail("a number without digits after its point");
      while (digit()) ++at_;
    }
    if (at_ < text_.size() && (text_[at_] == 'e' || text_[at_] == 'E')) {
      ++at_;
      if (at_ < text_.size() && (text_[at_] == '+' || text_[at_] == '-')) ++at_;
      if (!digit()) fail("a number without digits in its exponent");
      while (digit()) ++at_;
    }
    return Json::from_number(std::string(text_.substr(start, at_ - start)));
  }

  std::uint32_t hex4() {
    if (at_ + 4 > text_.size()) fail("a \\u escape cut short");
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      char c = text_[at_++];
      value <<= 4;
      if (c >= '0' && c <= '9')
        value |= c - '0';
      else if (c >= 'a' && c <= 'f')
        value |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        value |= c - 'A' + 10;
      else
        fail("a \\u escape with a character that is not hexadecimal");
    }
    return value;
  }

  static void append_utf8(std::string& out, std::uint32_t code) {
    if (code < 0x80) {
      out.push_back(static_cast<char>(code));
    } else if (code < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (code >> 6)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else if (code < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (code >> 12)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (code >> 18)));
      out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    }
  }

  std::uint32_t escaped_code() {
    std::uint32_t code = hex4();
    if (code >= 0xDC00 && code <= 0xDFFF) fail("a lone low surrogate");
    if (code < 0xD800 || code > 0xDBFF) return code;
    if (!take_word("\\u")) fail("a high surrogate without its low half");
    std::uint32_t low = hex4();
    if (low < 0xDC00 || low > 0xDFFF) fail("a high surrogate without its low half");
    return 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
  }

  std::string parse_string() {
    ++at_;
    std::string out;
    while (true) {
      if (at_ >= text_.size()) fail("a string without its closing quote");
      char c = text_[at_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail("a control character inside a string");
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (at_ >= text_.size()) fail("a string without its closing quote");
      char e = text_[at_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out.push_back(e);
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          std::uint32_t code = escaped_code();
          if (code == 0) fail("a \\u0000 escape (text cannot hold a zero byte)");
          append_utf8(out, code);
          break;
        }
        default:
          fail("an unknown escape");
      }
    }
  }

  std::string_view text_;
  std::size_t at_ = 0;
};

}  // namespace

Json parse_json(std::string_view text) { return Parser(text).document(); }

}  // namespace pgdb::cli
