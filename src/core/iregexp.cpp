#include "iregexp.hpp"

#include <limits>
#include <utility>

#include "cancel.hpp"
#include "text.hpp"

namespace pgjwt {
namespace {

constexpr uint32_t kUnbounded = std::numeric_limits<uint32_t>::max();

// The length of the UTF-8 character at the start of `s` and its code point;
// 0 for bytes that do not form a valid character (RFC 3629).
size_t decode_utf8(std::string_view s, char32_t &c) {
    size_t length = utf8_character_length(s);
    if (length == 0) return 0;
    static constexpr unsigned char kLeadMask[] = {0, 0x7F, 0x1F, 0x0F, 0x07};
    c = static_cast<unsigned char>(s[0]) & kLeadMask[length];
    for (size_t i = 1; i < length; i++) c = (c << 6) | (static_cast<unsigned char>(s[i]) & 0x3F);
    return length;
}

// The pattern as a tree, before it becomes states.
struct Node {
    enum class Kind { empty, set, concat, alternate, repeat, line_start, line_end };
    Kind kind = Kind::empty;
    uint32_t set = 0;
    uint32_t min = 0, max = 0;  // repeat
    std::vector<Node> children;
};

class Parser {
  public:
    Parser(std::string_view pattern, IRegexp &out, RegexpError &error)
        : pattern_(pattern), out_(out), error_(error) {}

    bool parse(Node &root) {
        if (!parse_alternation(root, 0)) return false;
        if (at_end()) return true;
        return fail(peek() == ')' ? "unmatched \")\"" : "unexpected character");
    }

  private:
    std::string_view pattern_;
    IRegexp &out_;
    RegexpError &error_;
    size_t pos_ = 0;        // byte offset
    size_t character_ = 1;  // 1-based character position of pos_

    bool at_end() const { return pos_ >= pattern_.size(); }
    // The character at pos_ (0 at the end, or for invalid UTF-8: the caller
    // checks valid() first where it matters).
    char32_t peek() const {
        char32_t c = 0;
        return decode_utf8(pattern_.substr(pos_), c) ? c : 0;
    }
    bool valid() const {
        char32_t c;
        return decode_utf8(pattern_.substr(pos_), c) != 0;
    }
    void advance() {
        char32_t c;
        size_t length = decode_utf8(pattern_.substr(pos_), c);
        pos_ += length != 0 ? length : 1;
        character_++;
    }
    char32_t next_char() {
        char32_t c = peek();
        advance();
        return c;
    }
    bool fail(const char *what) { return fail_at(character_, what); }
    bool fail_at(size_t position, const char *what) {
        error_.position = position;
        error_.what = what;
        return false;
    }

    uint32_t add_set(IRegexp::CharSet set) {
        out_.sets.push_back(std::move(set));
        return static_cast<uint32_t>(out_.sets.size() - 1);
    }
    Node set_node(IRegexp::CharSet set) {
        Node n{Node::Kind::set};
        n.set = add_set(std::move(set));
        return n;
    }
    static IRegexp::CharSet single(char32_t c) {
        IRegexp::CharSet s;
        s.ranges.push_back({c, c});
        return s;
    }

    bool parse_alternation(Node &out, size_t depth) {
        Node first{Node::Kind::concat};
        if (!parse_branch(first, depth)) return false;
        if (at_end() || peek() != '|') {
            out = std::move(first);
            return true;
        }
        out = Node{Node::Kind::alternate};
        out.children.push_back(std::move(first));
        while (!at_end() && peek() == '|') {
            advance();
            Node branch{Node::Kind::concat};
            if (!parse_branch(branch, depth)) return false;
            out.children.push_back(std::move(branch));
        }
        return true;
    }

    bool parse_branch(Node &out, size_t depth) {
        while (!at_end() && peek() != '|' && peek() != ')') {
            Node piece;
            if (!parse_piece(piece, depth)) return false;
            out.children.push_back(std::move(piece));
        }
        return true;
    }

    static bool is_quantifier(char32_t c) { return c == '*' || c == '+' || c == '?' || c == '{'; }

    bool parse_piece(Node &out, size_t depth) {
        Node atom;
        if (!parse_atom(atom, depth)) return false;
        if (at_end() || !is_quantifier(peek())) {
            out = std::move(atom);
            return true;
        }
        if (atom.kind == Node::Kind::line_start || atom.kind == Node::Kind::line_end)
            return fail("a quantifier cannot follow an anchor");
        uint32_t min = 0, max = kUnbounded;
        char32_t q = peek();
        if (q == '{') {
            if (!parse_range_quantifier(min, max)) return false;
        } else {
            advance();
            if (q == '+') min = 1;
            if (q == '?') max = 1;
        }
        out = Node{Node::Kind::repeat};
        out.min = min;
        out.max = max;
        out.children.push_back(std::move(atom));
        return true;
    }

    bool parse_count(uint32_t &n) {
        if (at_end() || peek() < '0' || peek() > '9') return fail("expected a number in {}");
        n = 0;
        while (!at_end() && peek() >= '0' && peek() <= '9') {
            n = n * 10 + static_cast<uint32_t>(peek() - '0');
            if (n > kMaxRegexpRepeat) return fail("a repeat count above 1000");
            advance();
        }
        return true;
    }

    bool parse_range_quantifier(uint32_t &min, uint32_t &max) {
        size_t start = character_;
        advance();  // {
        if (!parse_count(min)) return false;
        max = min;
        if (!at_end() && peek() == ',') {
            advance();
            max = kUnbounded;
            if (!at_end() && peek() != '}' && !parse_count(max)) return false;
        }
        if (at_end() || peek() != '}') return fail("expected \"}\"");
        advance();
        if (max < min) return fail_at(start, "a {n,m} quantifier with m below n");
        return true;
    }

    bool parse_atom(Node &out, size_t depth) {
        if (!valid()) return fail("invalid UTF-8");
        char32_t c = peek();
        switch (c) {
            case '(': {
                if (depth + 1 > kMaxRegexpNesting) return fail("groups nested too deeply");
                size_t start = character_;
                advance();
                if (!parse_alternation(out, depth + 1)) return false;
                if (at_end() || peek() != ')') return fail_at(start, "unmatched \"(\"");
                advance();
                return true;
            }
            case '.': {
                advance();
                IRegexp::CharSet dot;
                dot.negated = true;
                dot.ranges.push_back({U'\n', U'\n'});
                dot.ranges.push_back({U'\r', U'\r'});
                out = set_node(std::move(dot));
                return true;
            }
            case '[':
                return parse_class(out);
            case '\\': {
                char32_t escaped;
                if (!parse_escape(escaped)) return false;
                out = set_node(single(escaped));
                return true;
            }
            case '^':
                advance();
                out = Node{Node::Kind::line_start};
                return true;
            case '$':
                advance();
                out = Node{Node::Kind::line_end};
                return true;
            case ')':
                return fail("unmatched \")\"");
            case '*':
            case '+':
            case '?':
            case '{':
                return fail("a quantifier with nothing to repeat");
            case ']':
            case '}':
                return fail("an unescaped \"]\" or \"}\"");
            default:
                advance();
                out = set_node(single(c));
                return true;
        }
    }

    // \ and one of the I-Regexp single-character escapes; pos_ at the \.
    bool parse_escape(char32_t &c) {
        size_t start = character_;
        advance();
        if (at_end()) return fail_at(start, "a \\ at the end of the pattern");
        char32_t e = peek();
        switch (e) {
            case 'n':
                c = U'\n';
                break;
            case 'r':
                c = U'\r';
                break;
            case 't':
                c = U'\t';
                break;
            case '(':
            case ')':
            case '*':
            case '+':
            case '-':
            case '.':
            case '?':
            case '[':
            case '\\':
            case ']':
            case '^':
            case '{':
            case '|':
            case '}':
                c = e;
                break;
            case 'p':
            case 'P':
                return fail_at(start, "Unicode category escapes (\\p, \\P) are not supported");
            default:
                return fail_at(start, "an escape that I-Regexp does not define");
        }
        advance();
        return true;
    }

    // One character of a class: a character or an escape. False at "[".
    bool parse_class_char(char32_t &c) {
        if (!valid()) return fail("invalid UTF-8");
        char32_t p = peek();
        if (p == '\\') return parse_escape(c);
        if (p == '[') return fail("an unescaped \"[\" in a character class");
        c = next_char();
        return true;
    }

    bool parse_class(Node &out) {
        size_t start = character_;
        advance();  // [
        IRegexp::CharSet set;
        if (!at_end() && peek() == '^') {
            set.negated = true;
            advance();
        }
        bool first = true;
        while (true) {
            if (at_end()) return fail_at(start, "unmatched \"[\"");
            char32_t p = peek();
            if (p == ']') {
                if (first) return fail("an empty character class");
                advance();
                break;
            }
            if (p == '-') {
                // Unescaped, a hyphen is a character only first or last.
                advance();
                if (!first && (at_end() || peek() != ']'))
                    return fail_at(character_ - 1,
                                   "an unescaped \"-\" inside a character class (write \\-)");
                set.ranges.push_back({U'-', U'-'});
                first = false;
                continue;
            }
            char32_t low;
            if (!parse_class_char(low)) return false;
            char32_t high = low;
            if (!at_end() && peek() == '-') {
                size_t dash = character_;
                advance();
                if (!at_end() && peek() == ']') {
                    set.ranges.push_back({low, low});
                    set.ranges.push_back({U'-', U'-'});
                    first = false;
                    continue;
                }
                if (!at_end() && peek() == '-')
                    return fail("an unescaped \"-\" inside a character class (write \\-)");
                if (!parse_class_char(high)) return false;
                if (high < low) return fail_at(dash, "a range whose end is below its start");
            }
            set.ranges.push_back({low, high});
            first = false;
        }
        out = set_node(std::move(set));
        return true;
    }
};

// Whether a node compiles to no states at all: it matches only the empty
// string and asserts nothing, so any number of copies of it is the empty match.
bool emits_nothing(const Node &n) {
    switch (n.kind) {
        case Node::Kind::empty:
            return true;
        case Node::Kind::concat:
        case Node::Kind::alternate:
            for (const Node &child : n.children)
                if (!emits_nothing(child)) return false;
            return true;
        case Node::Kind::repeat:
            return n.max == 0 || emits_nothing(n.children.front());
        case Node::Kind::set:
        case Node::Kind::line_start:
        case Node::Kind::line_end:
            return false;
    }
    return false;
}

class Compiler {
  public:
    explicit Compiler(IRegexp &out) : out_(out) {}

    bool compile(const Node &root) {
        if (!emit(root)) return false;
        return push({IRegexp::Op::accept, 0, 0, 0}) != kFull;
    }

  private:
    static constexpr uint32_t kFull = kUnbounded;
    IRegexp &out_;

    uint32_t here() const { return static_cast<uint32_t>(out_.states.size()); }
    uint32_t push(IRegexp::State s) {
        if (out_.states.size() >= kMaxRegexpStates) return kFull;
        out_.states.push_back(s);
        return here() - 1;
    }

    bool emit(const Node &n) {
        switch (n.kind) {
            case Node::Kind::empty:
                return true;
            case Node::Kind::set:
                return push({IRegexp::Op::set, here() + 1, 0, n.set}) != kFull;
            case Node::Kind::line_start:
                return push({IRegexp::Op::line_start, here() + 1, 0, 0}) != kFull;
            case Node::Kind::line_end:
                return push({IRegexp::Op::line_end, here() + 1, 0, 0}) != kFull;
            case Node::Kind::concat:
                for (const Node &child : n.children)
                    if (!emit(child)) return false;
                return true;
            case Node::Kind::alternate: {
                // split L1, L2; L1: a; jump end; L2: split ...; last: z; end:
                std::vector<uint32_t> jumps;
                for (size_t i = 0; i + 1 < n.children.size(); i++) {
                    uint32_t split = push({IRegexp::Op::split, 0, 0, 0});
                    if (split == kFull) return false;
                    out_.states[split].next = here();
                    if (!emit(n.children[i])) return false;
                    uint32_t jump = push({IRegexp::Op::jump, 0, 0, 0});
                    if (jump == kFull) return false;
                    jumps.push_back(jump);
                    out_.states[split].other = here();
                }
                if (!emit(n.children.back())) return false;
                for (uint32_t jump : jumps) out_.states[jump].next = here();
                return true;
            }
            case Node::Kind::repeat: {
                const Node &child = n.children.front();
                // Repeating the empty match is the empty match; without this,
                // nested counts of an empty child never reach kMaxRegexpStates
                // and compiling them takes practically forever.
                if (emits_nothing(child)) return true;
                for (uint32_t i = 0; i < n.min; i++)
                    if (!emit(child)) return false;
                if (n.max == kUnbounded) {
                    // loop: split body, end; body: child; jump loop; end:
                    uint32_t loop = push({IRegexp::Op::split, 0, 0, 0});
                    if (loop == kFull) return false;
                    out_.states[loop].next = here();
                    if (!emit(child)) return false;
                    if (push({IRegexp::Op::jump, loop, 0, 0}) == kFull) return false;
                    out_.states[loop].other = here();
                    return true;
                }
                // (child (child ...)?)?: each optional copy may skip to the end.
                std::vector<uint32_t> splits;
                for (uint32_t i = n.min; i < n.max; i++) {
                    uint32_t split = push({IRegexp::Op::split, 0, 0, 0});
                    if (split == kFull) return false;
                    out_.states[split].next = here();
                    splits.push_back(split);
                    if (!emit(child)) return false;
                }
                for (uint32_t split : splits) out_.states[split].other = here();
                return true;
            }
        }
        return false;
    }
};

// A set of states with O(1) insertion, membership and clearing.
class StateSet {
  public:
    explicit StateSet(size_t n) : dense_(n), sparse_(n) {}
    bool contains(uint32_t s) const { return sparse_[s] < size_ && dense_[sparse_[s]] == s; }
    void insert(uint32_t s) {
        sparse_[s] = size_;
        dense_[size_++] = s;
    }
    void clear() { size_ = 0; }
    size_t size() const { return size_; }
    uint32_t operator[](size_t i) const { return dense_[i]; }

  private:
    std::vector<uint32_t> dense_, sparse_;
    uint32_t size_ = 0;
};

bool set_contains(const IRegexp::CharSet &set, char32_t c) {
    bool in = false;
    for (const IRegexp::Range &r : set.ranges)
        if (c >= r.low && c <= r.high) {
            in = true;
            break;
        }
    return in != set.negated;
}

// Adds `start` and every state reachable from it without reading a
// character at this position (iteratively: no recursion). True when the
// accepting state was reached.
bool add_states(const IRegexp &re, StateSet &set, std::vector<uint32_t> &stack, uint32_t start,
                bool at_start, bool at_end) {
    bool accepted = false;
    stack.clear();
    stack.push_back(start);
    while (!stack.empty()) {
        uint32_t s = stack.back();
        stack.pop_back();
        if (set.contains(s)) continue;
        set.insert(s);
        const IRegexp::State &state = re.states[s];
        switch (state.op) {
            case IRegexp::Op::jump:
                stack.push_back(state.next);
                break;
            case IRegexp::Op::split:
                stack.push_back(state.other);
                stack.push_back(state.next);
                break;
            case IRegexp::Op::line_start:
                if (at_start) stack.push_back(state.next);
                break;
            case IRegexp::Op::line_end:
                if (at_end) stack.push_back(state.next);
                break;
            case IRegexp::Op::accept:
                accepted = true;
                break;
            case IRegexp::Op::set:
                break;
        }
    }
    return accepted;
}

}  // namespace

bool compile_iregexp(std::string_view pattern, IRegexp &out, RegexpError &error) {
    out = IRegexp{};
    Node root;
    Parser parser(pattern, out, error);
    if (!parser.parse(root)) return false;
    Compiler compiler(out);
    if (!compiler.compile(root)) {
        error.position = 1;
        error.what = "the pattern is too complex (more than " + std::to_string(kMaxRegexpStates) +
                     " states)";
        return false;
    }
    return true;
}

Status iregexp_search(const IRegexp &re, std::string_view text, bool &found) {
    found = false;
    if (re.states.empty()) return Status::Ok();
    StateSet current(re.states.size()), next(re.states.size());
    std::vector<uint32_t> stack;
    stack.reserve(re.states.size());
    size_t pos = 0;
    for (size_t steps = 1;; steps++) {
        // A match may start here (search is unanchored).
        if (add_states(re, current, stack, 0, pos == 0, pos == text.size())) {
            found = true;
            return Status::Ok();
        }
        if (pos == text.size()) return Status::Ok();
        char32_t c = 0xFFFD;
        size_t length = decode_utf8(text.substr(pos), c);
        if (length == 0) length = 1;  // not UTF-8: one byte, matched as U+FFFD
        pos += length;
        next.clear();
        bool accepted = false;
        for (size_t i = 0; i < current.size(); i++) {
            const IRegexp::State &state = re.states[current[i]];
            if (state.op == IRegexp::Op::set && set_contains(re.sets[state.set], c))
                accepted |= add_states(re, next, stack, state.next, false, pos == text.size());
        }
        if (accepted) {
            found = true;
            return Status::Ok();
        }
        std::swap(current, next);
        if (steps % 256 == 0 && cancel_requested()) return cancelled();
    }
}

}  // namespace pgjwt
