// The reading of pg_jwt.role_claim_key (json_path.hpp); the selection is
// in json_path_select.cpp.
#include "json_path.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <utility>

#include "text.hpp"

namespace pgjwt {
namespace {

// RFC 9535 section 2.1: integers within I-JSON's exact range.
constexpr int64_t kMaxIndex = (int64_t{1} << 53) - 1;

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Appends code point c as UTF-8.
void append_utf8(char32_t c, std::string &out) {
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

class PathParser {
  public:
    PathParser(std::string_view text, JsonPath &out) : text_(text), out_(out) {}

    bool parse() {
        if (text_.empty()) return fail(0, "an empty path");
        for (size_t i = 0; i < text_.size();) {
            size_t n = utf8_character_length(text_.substr(i));
            if (n == 0) return fail(i, "a byte that is not UTF-8");
            i += n;
        }
        if (text_[0] == '$') {
            pos_ = 1;
            return parse_segments(true);
        }
        if (text_[0] == '.' || text_[0] == '[') return parse_segments(false);
        return fail(0, "expected \"$\" (or, in the older form, \".\" or \"[\")");
    }

    const std::string &problem() const { return problem_; }

  private:
    std::string_view text_;
    JsonPath &out_;
    size_t pos_ = 0;
    std::string problem_;  // "what at character N[: advice]"

    // The 1-based character position of byte offset `at`.
    size_t character(size_t at) const {
        size_t n = 1;
        for (size_t i = 0; i < at && i < text_.size(); i++)
            if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) n++;
        return n;
    }

    bool fail(size_t at, std::string what, std::string advice = {}) {
        what[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(what[0])));
        problem_ = what + " at character " + std::to_string(character(at)) +
                   (advice.empty() ? "." : ": " + advice + ".");
        return false;
    }

    bool at_end() const { return pos_ >= text_.size(); }
    char peek(size_t ahead = 0) const {
        return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
    }
    bool looking_at(std::string_view s) const { return text_.substr(pos_, s.size()) == s; }
    void skip_blank() {
        while (!at_end() && is_blank(text_[pos_])) pos_++;
    }
    // The length of the UTF-8 character at pos_ (the text is valid UTF-8).
    size_t char_length() const {
        unsigned char b = static_cast<unsigned char>(text_[pos_]);
        return b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    }

    bool parse_segments(bool rfc) {
        while (true) {
            size_t before = pos_;
            if (rfc) skip_blank();
            if (at_end()) return pos_ == before || fail(before, "white space at the end");
            if (out_.segments.size() >= kMaxJsonPathSegments)
                return fail(pos_,
                            "more than " + std::to_string(kMaxJsonPathSegments) + " segments");
            JsonPath::Step step;
            char c = peek();
            if (c == '.') {
                if (!(rfc ? parse_dot_name(step) : parse_legacy_name(step))) return false;
            } else if (c == '[') {
                if (!parse_bracket(step)) return false;
            } else {
                return fail(pos_, "expected \".\" or \"[\"");
            }
            out_.segments.push_back(std::move(step));
        }
    }

    // "." member-name-shorthand (RFC 9535 section 2.5.1.1).
    bool parse_dot_name(JsonPath::Step &step) {
        pos_++;
        if (peek() == '.') return fail(pos_ - 1, "unsupported descendant segment \"..\"");
        if (peek() == '*') return fail(pos_, "unsupported wildcard selector \"*\"");
        return parse_shorthand(step.name);
    }

    bool parse_shorthand(std::string &name) {
        size_t start = pos_;
        auto name_first = [&]() {
            char c = peek();
            return is_alpha(c) || c == '_' || (static_cast<unsigned char>(c) & 0x80) != 0;
        };
        if (at_end() || !name_first()) return fail(pos_, "expected a member name after \".\"");
        while (!at_end() && (name_first() || is_digit(peek()))) pos_ += char_length();
        name.assign(text_.substr(start, pos_ - start));
        return true;
    }

    // The older form: ."quoted" (no escapes) or .name up to the next . or [.
    bool parse_legacy_name(JsonPath::Step &step) {
        size_t dot = pos_++;
        if (peek() == '"') {
            size_t end = text_.find('"', pos_ + 1);
            if (end == std::string_view::npos) return fail(pos_, "unterminated quoted name");
            step.name.assign(text_.substr(pos_ + 1, end - pos_ - 1));
            pos_ = end + 1;
            return true;
        }
        size_t end = text_.find_first_of(".[", pos_);
        if (end == std::string_view::npos) end = text_.size();
        if (end == pos_) return fail(dot, "expected a member name after \".\"");
        step.name.assign(text_.substr(pos_, end - pos_));
        pos_ = end;
        return true;
    }

    // "[" S selector S "]" with one selector.
    bool parse_bracket(JsonPath::Step &step) {
        size_t open = pos_++;
        skip_blank();
        if (at_end()) return fail(open, "unmatched \"[\"");
        char c = peek();
        if (c == '\'' || c == '"') {
            step.kind = JsonPath::Step::Kind::name;
            if (!parse_string(step.name)) return false;
        } else if (c == '-' || is_digit(c)) {
            step.kind = JsonPath::Step::Kind::index;
            if (!parse_index(step.index)) return false;
        } else if (c == '?') {
            pos_++;
            step.kind = JsonPath::Step::Kind::filter;
            step.filter = out_.filters.size();
            out_.filters.emplace_back();
            if (!parse_filter(out_.filters.back())) return false;
        } else if (c == '*') {
            return fail(pos_, "unsupported wildcard selector \"*\"");
        } else if (c == ':') {
            return fail(pos_, "unsupported array slice");
        } else {
            return fail(pos_, "expected a quoted member name, an index or a filter");
        }
        skip_blank();
        if (peek() == ':') return fail(pos_, "unsupported array slice");
        if (peek() == ',')
            return fail(pos_, "unsupported selector list", "write one selector per bracket");
        if (peek() != ']')
            return fail(at_end() ? open : pos_, at_end() ? "unmatched \"[\"" : "expected \"]\"");
        pos_++;
        return true;
    }

    // int = "0" / (["-"] DIGIT1 *DIGIT), within +-(2^53 - 1).
    bool parse_index(int64_t &value) {
        size_t start = pos_;
        bool negative = peek() == '-';
        if (negative) pos_++;
        if (!is_digit(peek())) return fail(start, "expected an index");
        if (peek() == '0' && (negative || is_digit(peek(1))))
            return fail(start, "an index with a leading zero (or -0)");
        value = 0;
        while (is_digit(peek())) {
            value = value * 10 + (peek() - '0');
            if (value > kMaxIndex) return fail(start, "an index out of range (beyond 2^53 - 1)");
            pos_++;
        }
        if (negative) value = -value;
        return true;
    }

    // string-literal (RFC 9535 section 2.3.1.1), single or double quoted.
    bool parse_string(std::string &out) {
        size_t open = pos_;
        char quote = text_[pos_++];
        out.clear();
        while (true) {
            if (at_end()) return fail(open, "unterminated string literal");
            char c = text_[pos_];
            if (c == quote) {
                pos_++;
                return true;
            }
            if (static_cast<unsigned char>(c) < 0x20)
                return fail(pos_, "a control character in a string literal (escape it)");
            if (c != '\\') {
                size_t n = char_length();
                out.append(text_.substr(pos_, n));
                pos_ += n;
                continue;
            }
            size_t escape = pos_++;
            char e = peek();
            switch (e) {
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 't':
                    out += '\t';
                    break;
                case '/':
                    out += '/';
                    break;
                case '\\':
                    out += '\\';
                    break;
                case 'u': {
                    char32_t cp;
                    if (!parse_unicode_escape(escape, cp)) return false;
                    append_utf8(cp, out);
                    continue;
                }
                default:
                    if (e == quote) {
                        out += e;
                        break;
                    }
                    return fail(escape, "an invalid escape in a string literal");
            }
            pos_++;
        }
    }

    bool parse_hex4(size_t escape, char32_t &value) {
        value = 0;
        for (int i = 0; i < 4; i++) {
            int d = hex_digit(peek());
            if (d < 0) return fail(escape, "an invalid \\u escape");
            value = value * 16 + static_cast<char32_t>(d);
            pos_++;
        }
        return true;
    }

    // \uXXXX, a surrogate pair as two; pos_ at the u.
    bool parse_unicode_escape(size_t escape, char32_t &cp) {
        pos_++;
        if (!parse_hex4(escape, cp)) return false;
        if (cp >= 0xDC00 && cp <= 0xDFFF) return fail(escape, "a lone low surrogate escape");
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (!looking_at("\\u")) return fail(escape, "a high surrogate escape without its pair");
            size_t second = pos_;
            pos_ += 2;
            char32_t low;
            if (!parse_hex4(second, low)) return false;
            if (low < 0xDC00 || low > 0xDFFF)
                return fail(escape, "a high surrogate escape without its pair");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        if (cp == 0) return fail(escape, "the character U+0000");
        return true;
    }

    // A word of letters, digits and _ (a literal or a function name).
    std::string_view word() const {
        size_t end = pos_;
        while (end < text_.size() &&
               (is_alpha(text_[end]) || is_digit(text_[end]) || text_[end] == '_'))
            end++;
        return text_.substr(pos_, end - pos_);
    }

    bool refuse_logical(size_t at) {
        std::string op(text_.substr(at, text_[at] == '!' ? 1 : 2));
        return fail(at, "unsupported logical operator \"" + op + "\"",
                    "a filter holds one == comparison or one search()");
    }

    // filter-selector after "?": one comparison or one search(), in any
    // number of parentheses.
    bool parse_filter(JsonPath::Filter &filter) {
        skip_blank();
        if (!parse_basic(filter, 0)) return false;
        skip_blank();
        if (looking_at("&&") || looking_at("||")) return refuse_logical(pos_);
        return true;
    }

    bool parse_basic(JsonPath::Filter &filter, size_t depth) {
        if (peek() == '!') return refuse_logical(pos_);
        if (peek() == '(') {
            size_t open = pos_++;
            if (depth >= 16) return fail(open, "parentheses nested too deeply");
            skip_blank();
            if (!parse_basic(filter, depth + 1)) return false;
            skip_blank();
            if (looking_at("&&") || looking_at("||")) return refuse_logical(pos_);
            if (peek() != ')')
                return fail(at_end() ? open : pos_,
                            at_end() ? "unmatched \"(\"" : "expected \")\"");
            pos_++;
            return true;
        }
        std::string_view name = word();
        if (!name.empty() && is_alpha(name[0]) && peek(name.size()) == '(') {
            if (name != "search")
                return fail(pos_, "unsupported function \"" + excerpt(name, 32) + "\"",
                            "only search() is allowed");
            pos_ += name.size() + 1;
            return parse_search(filter);
        }
        return parse_comparison(filter);
    }

    // search(@..., 'pattern')
    bool parse_search(JsonPath::Filter &filter) {
        filter.kind = JsonPath::Filter::Kind::search;
        skip_blank();
        if (peek() != '@')
            return fail(pos_, "the first argument of search() must be @ or a query below it");
        if (!parse_relative_query(filter.subject)) return false;
        skip_blank();
        if (peek() != ',') return fail(pos_, "expected \",\" and the pattern of search()");
        pos_++;
        skip_blank();
        if (peek() != '\'' && peek() != '"')
            return fail(pos_, "the second argument of search() must be a string literal");
        size_t literal = pos_;
        std::string pattern;
        if (!parse_string(pattern)) return false;
        RegexpError error;
        if (!compile_iregexp(pattern, filter.regexp, error))
            return fail(
                literal, "an invalid regular expression",
                error.what + " at character " + std::to_string(error.position) + " of the pattern");
        skip_blank();
        if (peek() != ')') return fail(pos_, "expected \")\" after the pattern of search()");
        pos_++;
        return true;
    }

    // @ and names and indexes below it (rel-singular-query).
    bool parse_relative_query(std::vector<JsonPath::Step> &steps) {
        pos_++;  // @
        while (true) {
            size_t before = pos_;
            skip_blank();
            JsonPath::Step step;
            if (peek() == '.') {
                pos_++;
                if (peek() == '*' || peek() == '.')
                    return fail(pos_ - 1, "a query inside a filter selects by name or index only");
                if (!parse_shorthand(step.name)) return false;
            } else if (peek() == '[') {
                size_t open = pos_++;
                char c = peek();
                if (c == '\'' || c == '"') {
                    if (!parse_string(step.name)) return false;
                } else if (c == '-' || is_digit(c)) {
                    step.kind = JsonPath::Step::Kind::index;
                    if (!parse_index(step.index)) return false;
                } else {
                    return fail(open, "a query inside a filter selects by name or index only");
                }
                if (peek() != ']') return fail(pos_, "expected \"]\"");
                pos_++;
            } else {
                pos_ = before;
                return true;
            }
            if (steps.size() >= kMaxJsonPathSegments)
                return fail(pos_,
                            "more than " + std::to_string(kMaxJsonPathSegments) + " segments");
            steps.push_back(std::move(step));
        }
    }

    // A literal: a string, a number, true, false or null.
    bool parse_literal(JsonPath::Literal &literal) {
        char c = peek();
        if (c == '\'' || c == '"') {
            literal.type = JsonPath::Literal::Type::string;
            return parse_string(literal.string);
        }
        if (c == '-' || is_digit(c)) return parse_number(literal);
        std::string_view w = word();
        if (w == "true" || w == "false") {
            literal.type = JsonPath::Literal::Type::boolean;
            literal.boolean = w == "true";
        } else if (w == "null") {
            literal.type = JsonPath::Literal::Type::null;
        } else {
            return fail(pos_, "expected @, a literal or search()");
        }
        pos_ += w.size();
        return true;
    }

    // number = (int / "-0") [ frac ] [ exp ] (RFC 9535 section 2.3.5.1).
    bool parse_number(JsonPath::Literal &literal) {
        size_t start = pos_;
        if (peek() == '-') pos_++;
        if (!is_digit(peek())) return fail(start, "an invalid number");
        if (peek() == '0' && is_digit(peek(1))) return fail(start, "a number with a leading zero");
        while (is_digit(peek())) pos_++;
        if (peek() == '.') {
            pos_++;
            if (!is_digit(peek())) return fail(start, "an invalid number");
            while (is_digit(peek())) pos_++;
        }
        if (peek() == 'e' || peek() == 'E') {
            pos_++;
            if (peek() == '+' || peek() == '-') pos_++;
            if (!is_digit(peek())) return fail(start, "an invalid number");
            while (is_digit(peek())) pos_++;
        }
        std::string_view digits = text_.substr(start, pos_ - start);
        double value = 0;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        if (ec != std::errc() || end != digits.data() + digits.size() || !std::isfinite(value))
            return fail(start, "a number out of range");
        literal.type = JsonPath::Literal::Type::number;
        literal.number = value;
        return true;
    }

    // comparable S "==" S comparable, with @ on one side and a literal on
    // the other.
    bool parse_comparison(JsonPath::Filter &filter) {
        filter.kind = JsonPath::Filter::Kind::equals;
        size_t left = pos_;
        bool query_first = peek() == '@';
        if (peek() == '$')
            return fail(pos_, "unsupported absolute query inside a filter",
                        "compare @ with a literal");
        if (query_first ? !parse_relative_query(filter.subject) : !parse_literal(filter.literal))
            return false;
        skip_blank();
        if (!parse_operator(left, query_first)) return false;
        skip_blank();
        size_t right = pos_;
        if (peek() == '$')
            return fail(pos_, "unsupported absolute query inside a filter",
                        "compare @ with a literal");
        if (query_first == (peek() == '@'))
            return fail(right, query_first ? "expected a literal" : "expected @",
                        "compare @ (or a query below it) with a literal");
        return query_first ? parse_literal(filter.literal) : parse_relative_query(filter.subject);
    }

    bool parse_operator(size_t left, bool query_first) {
        for (std::string_view old : {"^==", "==^", "*=="})
            if (looking_at(old))
                return fail(pos_, "unsupported comparison operator \"" + std::string(old) + "\"",
                            "PostgREST 16 replaced it with search(), e.g. [?search(@, '^au')]");
        if (looking_at("==")) {
            pos_ += 2;
            return true;
        }
        for (std::string_view op : {"!=", "<=", ">=", "<", ">"})
            if (looking_at(op))
                return fail(pos_, "unsupported comparison operator \"" + std::string(op) + "\"",
                            "only == is allowed");
        if (query_first && (at_end() || peek() == ']' || peek() == ')'))
            return fail(left, "unsupported existence test", "compare with == or call search()");
        return fail(pos_, "expected \"==\"");
    }
};

}  // namespace

Status parse_role_claim_key(std::string_view text, JsonPath &out, std::string_view source) {
    out = JsonPath{};
    PathParser parser(text, out);
    if (parser.parse()) return Status::Ok();
    out = JsonPath{};
    return Status::InvalidArgument("invalid " + std::string(source) + " \"" + excerpt(text) + "\"",
                                   parser.problem());
}

}  // namespace pgjwt
