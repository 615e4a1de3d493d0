#include "core/unicode/unicode.h"

#include "core/unicode/unicode_tables.h"

#include <algorithm>
#include <array>

namespace vora::core::unicode {
namespace tables = unicode_tables;
namespace {

constexpr char32_t kHangulSBase = 0xAC00;
constexpr char32_t kHangulLBase = 0x1100;
constexpr char32_t kHangulVBase = 0x1161;
constexpr char32_t kHangulTBase = 0x11A7;
constexpr char32_t kHangulLCount = 19;
constexpr char32_t kHangulVCount = 21;
constexpr char32_t kHangulTCount = 28;
constexpr char32_t kHangulNCount = kHangulVCount * kHangulTCount;
constexpr char32_t kHangulSCount = kHangulLCount * kHangulNCount;

std::array<CharClass, 128> makeAsciiClasses()
{
    std::array<CharClass, 128> classes{};
    for (char32_t c = 0; c < 128; ++c) {
        if ((c >= 9 && c <= 13) || c == ' ') {
            classes[c] = CharClass::Whitespace;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            classes[c] = CharClass::Letter;
        } else if (c >= '0' && c <= '9') {
            classes[c] = CharClass::Number;
        } else {
            classes[c] = CharClass::Other;
        }
    }
    return classes;
}

const std::array<CharClass, 128> kAsciiClasses = makeAsciiClasses();

bool inRanges(char32_t cp, const tables::CodeRange* ranges, std::size_t size)
{
    const auto* end = ranges + size;
    const auto* it = std::upper_bound(ranges, end, cp,
                                      [](char32_t value, const tables::CodeRange& r) { return value < r.first; });
    return it != ranges && cp <= (it - 1)->last;
}

bool nfcUnsafe(char32_t cp)
{
    return cp >= 0x300 && inRanges(cp, tables::kNfcUnsafeRanges, tables::kNfcUnsafeRangesSize);
}

void decomposeInto(char32_t cp, std::u32string& out)
{
    if (cp >= kHangulSBase && cp < kHangulSBase + kHangulSCount) {
        const char32_t index = cp - kHangulSBase;
        out.push_back(kHangulLBase + index / kHangulNCount);
        out.push_back(kHangulVBase + (index % kHangulNCount) / kHangulTCount);
        if (index % kHangulTCount != 0) {
            out.push_back(kHangulTBase + index % kHangulTCount);
        }
        return;
    }
    const auto* begin = tables::kDecompositions;
    const auto* end = begin + tables::kDecompositionsSize;
    const auto* it = std::lower_bound(begin, end, cp,
                                      [](const tables::Decomposition& d, char32_t value) { return d.cp < value; });
    if (it == end || it->cp != cp) {
        out.push_back(cp);
        return;
    }
    out.append(tables::kDecompositionData + it->offset, it->length);
}

char32_t compose(char32_t first, char32_t second)
{
    if (first >= kHangulLBase && first < kHangulLBase + kHangulLCount && second >= kHangulVBase
        && second < kHangulVBase + kHangulVCount) {
        return kHangulSBase + ((first - kHangulLBase) * kHangulVCount + (second - kHangulVBase)) * kHangulTCount;
    }
    if (first >= kHangulSBase && first < kHangulSBase + kHangulSCount && (first - kHangulSBase) % kHangulTCount == 0
        && second > kHangulTBase && second < kHangulTBase + kHangulTCount) {
        return first + (second - kHangulTBase);
    }
    const auto* begin = tables::kCompositions;
    const auto* end = begin + tables::kCompositionsSize;
    const auto* it = std::lower_bound(begin, end, std::pair{first, second},
                                      [](const tables::Composition& c, std::pair<char32_t, char32_t> key) {
                                          return std::pair{c.first, c.second} < key;
                                      });
    return it != end && it->first == first && it->second == second ? it->composite : 0;
}

// Stable sort of each run of non-starters by combining class (canonical ordering).
void canonicalOrder(std::u32string& text)
{
    std::size_t i = 0;
    while (i < text.size()) {
        if (combiningClass(text[i]) == 0) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < text.size() && combiningClass(text[j]) != 0) {
            ++j;
        }
        std::stable_sort(text.begin() + static_cast<std::ptrdiff_t>(i), text.begin() + static_cast<std::ptrdiff_t>(j),
                         [](char32_t a, char32_t b) { return combiningClass(a) < combiningClass(b); });
        i = j;
    }
}

std::u32string canonicalCompose(const std::u32string& text)
{
    std::u32string out;
    out.reserve(text.size());
    std::ptrdiff_t starter = -1;
    int lastClass = -1; // -1: nothing since the starter
    for (const char32_t cp : text) {
        const int cc = combiningClass(cp);
        if (starter >= 0 && (lastClass == -1 || (lastClass != 0 && lastClass < cc))) {
            if (const char32_t composite = compose(out[static_cast<std::size_t>(starter)], cp)) {
                out[static_cast<std::size_t>(starter)] = composite;
                continue;
            }
        }
        if (cc == 0) {
            starter = static_cast<std::ptrdiff_t>(out.size());
            lastClass = -1;
        } else {
            lastClass = cc;
        }
        out.push_back(cp);
    }
    return out;
}

// Expected length of a sequence from its lead byte, 0 when the byte cannot start one.
int sequenceLength(unsigned char lead)
{
    if (lead < 0x80) {
        return 1;
    }
    if (lead >= 0xC2 && lead <= 0xDF) {
        return 2;
    }
    if (lead >= 0xE0 && lead <= 0xEF) {
        return 3;
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
        return 4;
    }
    return 0;
}

// Valid range of the byte after the lead (Unicode table 3-7); later bytes are 80..BF.
bool validSecond(unsigned char lead, unsigned char byte)
{
    switch (lead) {
    case 0xE0: return byte >= 0xA0 && byte <= 0xBF;
    case 0xED: return byte >= 0x80 && byte <= 0x9F;
    case 0xF0: return byte >= 0x90 && byte <= 0xBF;
    case 0xF4: return byte >= 0x80 && byte <= 0x8F;
    default: return byte >= 0x80 && byte <= 0xBF;
    }
}

} // namespace

CharClass charClass(char32_t cp)
{
    if (cp < 128) {
        return kAsciiClasses[cp];
    }
    const auto* begin = tables::kClassRuns;
    const auto* end = begin + tables::kClassRunsSize;
    const auto* it = std::upper_bound(begin, end, cp,
                                      [](char32_t value, const tables::ClassRun& r) { return value < r.start; });
    return static_cast<CharClass>((it - 1)->cls);
}

uint8_t combiningClass(char32_t cp)
{
    if (cp < 0x300) {
        return 0;
    }
    const auto* begin = tables::kCombiningClassRanges;
    const auto* end = begin + tables::kCombiningClassRangesSize;
    const auto* it = std::upper_bound(begin, end, cp, [](char32_t value, const tables::CombiningRange& r) {
        return value < r.first;
    });
    return it != begin && cp <= (it - 1)->last ? (it - 1)->ccc : 0;
}

char32_t decodeUtf8(std::string_view text, std::size_t& pos)
{
    const auto lead = static_cast<unsigned char>(text[pos]);
    const int length = sequenceLength(lead);
    if (length == 1) {
        ++pos;
        return lead;
    }
    if (length == 0) {
        ++pos;
        return kReplacement;
    }
    char32_t cp = lead & (0xFF >> (length + 1));
    for (int k = 1; k < length; ++k) {
        if (pos + static_cast<std::size_t>(k) >= text.size()) {
            pos += static_cast<std::size_t>(k);
            return kReplacement;
        }
        const auto byte = static_cast<unsigned char>(text[pos + static_cast<std::size_t>(k)]);
        const bool ok = k == 1 ? validSecond(lead, byte) : (byte >= 0x80 && byte <= 0xBF);
        if (!ok) {
            pos += static_cast<std::size_t>(k);
            return kReplacement;
        }
        cp = (cp << 6) | (byte & 0x3F);
    }
    pos += static_cast<std::size_t>(length);
    return cp;
}

std::u32string toUtf32(std::string_view text)
{
    std::u32string out;
    out.reserve(text.size());
    std::size_t pos = 0;
    while (pos < text.size()) {
        out.push_back(decodeUtf8(text, pos));
    }
    return out;
}

void appendUtf8(std::string& out, char32_t cp)
{
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

std::string toUtf8(std::u32string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (const char32_t cp : text) {
        appendUtf8(out, cp);
    }
    return out;
}

std::size_t completeUtf8Prefix(std::string_view bytes)
{
    // Only the last 3 bytes can hold an unfinished sequence.
    const std::size_t n = bytes.size();
    for (std::size_t back = 1; back <= 3 && back <= n; ++back) {
        const std::size_t start = n - back;
        const auto lead = static_cast<unsigned char>(bytes[start]);
        if (lead >= 0x80 && lead <= 0xBF) {
            continue;
        }
        const int length = sequenceLength(lead);
        if (length <= static_cast<int>(back)) {
            return n;
        }
        for (std::size_t k = 1; k < back; ++k) {
            const auto byte = static_cast<unsigned char>(bytes[start + k]);
            if (k == 1 ? !validSecond(lead, byte) : (byte < 0x80 || byte > 0xBF)) {
                return n;
            }
        }
        return start;
    }
    return n;
}

bool isValidUtf8(std::string_view bytes)
{
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        const std::size_t before = pos;
        if (decodeUtf8(bytes, pos) == kReplacement
            && !(pos - before == 3 && bytes.substr(before, 3) == "\xEF\xBF\xBD")) {
            return false;
        }
    }
    return true;
}

std::string repairUtf8(std::string_view bytes)
{
    if (isValidUtf8(bytes)) {
        return std::string(bytes);
    }
    std::string out;
    out.reserve(bytes.size() + 8);
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        appendUtf8(out, decodeUtf8(bytes, pos));
    }
    return out;
}

std::u32string nfc(std::u32string_view text)
{
    if (std::none_of(text.begin(), text.end(), nfcUnsafe)) {
        return std::u32string(text);
    }
    std::u32string decomposed;
    decomposed.reserve(text.size() + 8);
    for (const char32_t cp : text) {
        decomposeInto(cp, decomposed);
    }
    canonicalOrder(decomposed);
    return canonicalCompose(decomposed);
}

std::string nfc(std::string_view text)
{
    bool ascii = std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (ascii) {
        return std::string(text);
    }
    return toUtf8(nfc(toUtf32(text)));
}

} // namespace vora::core::unicode
