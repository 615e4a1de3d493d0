#pragma once
// Loads the sentencepiece module (see sentencepiece_abi.h) on first use and wraps it in C++.
// Thread-safety: the library object is created once and is safe to share; a SentencePieceModel
// may be used from one thread at a time for encoding and decoding (sentencepiece is const-safe).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vora::core {

class SentencePieceLibrary;

class SentencePieceModel {
public:
    ~SentencePieceModel();
    SentencePieceModel(const SentencePieceModel&) = delete;
    SentencePieceModel& operator=(const SentencePieceModel&) = delete;

    // Throws Error(UnsupportedFormat) when the module is missing, CorruptFile when the file is bad.
    static std::unique_ptr<SentencePieceModel> load(const std::string& modelPath);

    int32_t pieceCount() const;
    std::optional<int32_t> bosId() const;
    std::optional<int32_t> eosId() const;
    std::optional<int32_t> unkId() const;
    std::optional<int32_t> padId() const;
    std::string idToPiece(int32_t id) const;
    std::optional<int32_t> pieceToId(std::string_view piece) const;
    bool isControl(int32_t id) const;
    std::vector<int32_t> encode(std::string_view text) const;
    std::string decode(const std::vector<int32_t>& ids) const;

private:
    struct Handle;
    explicit SentencePieceModel(std::unique_ptr<Handle> handle);
    std::unique_ptr<Handle> m_handle;
};

struct SentencePieceModuleStatus {
    bool available = false;
    std::string path;   // the module file that loaded, or the places searched
    std::string detail; // why it is unavailable
};

// Where the module is (or why not). Loads it once per process.
SentencePieceModuleStatus sentencePieceModuleStatus();

} // namespace vora::core
