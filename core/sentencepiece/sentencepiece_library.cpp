#include "core/sentencepiece/sentencepiece_library.h"
#include "core/build_config.h"

#include "core/error.h"
#include "core/sentencepiece/sentencepiece_abi.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>

namespace vora::core {
namespace {

namespace fs = std::filesystem;

struct ModuleFunctions {
    decltype(&vora_spm_abi_version) abiVersion = nullptr;
    decltype(&vora_spm_load) load = nullptr;
    decltype(&vora_spm_destroy) destroy = nullptr;
    decltype(&vora_spm_free) free = nullptr;
    decltype(&vora_spm_piece_count) pieceCount = nullptr;
    decltype(&vora_spm_bos_id) bosId = nullptr;
    decltype(&vora_spm_eos_id) eosId = nullptr;
    decltype(&vora_spm_unk_id) unkId = nullptr;
    decltype(&vora_spm_pad_id) padId = nullptr;
    decltype(&vora_spm_id_to_piece) idToPiece = nullptr;
    decltype(&vora_spm_piece_to_id) pieceToId = nullptr;
    decltype(&vora_spm_is_control) isControl = nullptr;
    decltype(&vora_spm_encode) encode = nullptr;
    decltype(&vora_spm_decode) decode = nullptr;
};

struct LoadedModule {
    SentencePieceModuleStatus status;
    ModuleFunctions functions;
};

constexpr const char* kModuleName = "libvora_sentencepiece.so";

std::vector<fs::path> candidatePaths()
{
    std::vector<fs::path> paths;
    if (const char* overridePath = std::getenv("VORA_SENTENCEPIECE_MODULE")) {
        paths.emplace_back(overridePath);
    }
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        paths.push_back(exe.parent_path() / kModuleName);
        paths.push_back(exe.parent_path().parent_path() / "lib" / kModuleName);
        paths.push_back(exe.parent_path().parent_path() / "lib" / "vora-studio" / kModuleName);
    }
#ifdef VORA_SENTENCEPIECE_BUILD_DIR
    paths.push_back(fs::path(VORA_SENTENCEPIECE_BUILD_DIR) / kModuleName);
#endif
    return paths;
}

template <typename Function>
bool resolve(void* handle, const char* name, Function& out)
{
    out = reinterpret_cast<Function>(dlsym(handle, name));
    return out != nullptr;
}

LoadedModule loadModule()
{
    LoadedModule module;
    std::string searched;
    for (const fs::path& path : candidatePaths()) {
        searched += (searched.empty() ? "" : ", ") + path.string();
        if (!fs::exists(path)) {
            continue;
        }
        // DEEPBIND: the module's own sentencepiece/protobuf symbols win over libtorch's protobuf.
        void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
        if (!handle) {
            module.status.detail = dlerror();
            continue;
        }
        auto& f = module.functions;
        const bool complete = resolve(handle, "vora_spm_abi_version", f.abiVersion)
            && resolve(handle, "vora_spm_load", f.load) && resolve(handle, "vora_spm_destroy", f.destroy)
            && resolve(handle, "vora_spm_free", f.free) && resolve(handle, "vora_spm_piece_count", f.pieceCount)
            && resolve(handle, "vora_spm_bos_id", f.bosId) && resolve(handle, "vora_spm_eos_id", f.eosId)
            && resolve(handle, "vora_spm_unk_id", f.unkId) && resolve(handle, "vora_spm_pad_id", f.padId)
            && resolve(handle, "vora_spm_id_to_piece", f.idToPiece)
            && resolve(handle, "vora_spm_piece_to_id", f.pieceToId)
            && resolve(handle, "vora_spm_is_control", f.isControl) && resolve(handle, "vora_spm_encode", f.encode)
            && resolve(handle, "vora_spm_decode", f.decode);
        if (!complete || f.abiVersion() != VORA_SPM_ABI_VERSION) {
            module.status.detail = path.string() + " is not a compatible sentencepiece module";
            continue;
        }
        module.status.available = true;
        module.status.path = path.string();
        module.status.detail.clear();
        return module; // the handle stays open for the life of the process
    }
    module.status.path = searched;
    if (module.status.detail.empty()) {
        module.status.detail = "module not found (searched " + searched + ")";
    }
    return module;
}

const LoadedModule& loadedModule()
{
    static const LoadedModule module = loadModule();
    return module;
}

const ModuleFunctions& requireModule()
{
    const LoadedModule& module = loadedModule();
    require(module.status.available, ErrorCode::UnsupportedFormat,
            "SentencePiece .model files need the sentencepiece module: " + module.status.detail);
    return module.functions;
}

std::string takeString(const ModuleFunctions& f, char* text)
{
    std::string out = text ? std::string(text) : std::string();
    f.free(text);
    return out;
}

std::optional<int32_t> optionalId(int32_t id)
{
    return id >= 0 ? std::optional<int32_t>(id) : std::nullopt;
}

} // namespace

struct SentencePieceModel::Handle {
    const ModuleFunctions* functions = nullptr;
    VoraSpmProcessor* processor = nullptr;
};

SentencePieceModel::SentencePieceModel(std::unique_ptr<Handle> handle)
    : m_handle(std::move(handle))
{
}

SentencePieceModel::~SentencePieceModel()
{
    if (m_handle && m_handle->processor) {
        m_handle->functions->destroy(m_handle->processor);
    }
}

std::unique_ptr<SentencePieceModel> SentencePieceModel::load(const std::string& modelPath)
{
    const ModuleFunctions& f = requireModule();
    require(fs::exists(modelPath), ErrorCode::FileNotFound, "SentencePiece model not found: " + modelPath);
    char* error = nullptr;
    VoraSpmProcessor* processor = f.load(modelPath.c_str(), &error);
    if (!processor) {
        throw Error(ErrorCode::CorruptFile,
                    "cannot read SentencePiece model " + modelPath + ": " + takeString(f, error));
    }
    auto handle = std::make_unique<Handle>();
    handle->functions = &f;
    handle->processor = processor;
    return std::unique_ptr<SentencePieceModel>(new SentencePieceModel(std::move(handle)));
}

int32_t SentencePieceModel::pieceCount() const { return m_handle->functions->pieceCount(m_handle->processor); }
std::optional<int32_t> SentencePieceModel::bosId() const
{
    return optionalId(m_handle->functions->bosId(m_handle->processor));
}
std::optional<int32_t> SentencePieceModel::eosId() const
{
    return optionalId(m_handle->functions->eosId(m_handle->processor));
}
std::optional<int32_t> SentencePieceModel::unkId() const
{
    return optionalId(m_handle->functions->unkId(m_handle->processor));
}
std::optional<int32_t> SentencePieceModel::padId() const
{
    return optionalId(m_handle->functions->padId(m_handle->processor));
}

std::string SentencePieceModel::idToPiece(int32_t id) const
{
    const auto& f = *m_handle->functions;
    char* piece = f.idToPiece(m_handle->processor, id);
    require(piece != nullptr, ErrorCode::InvalidArgument, "token id out of range: " + std::to_string(id));
    return takeString(f, piece);
}

std::optional<int32_t> SentencePieceModel::pieceToId(std::string_view piece) const
{
    return optionalId(m_handle->functions->pieceToId(m_handle->processor, piece.data(), piece.size()));
}

bool SentencePieceModel::isControl(int32_t id) const
{
    return m_handle->functions->isControl(m_handle->processor, id) != 0;
}

std::vector<int32_t> SentencePieceModel::encode(std::string_view text) const
{
    const auto& f = *m_handle->functions;
    int32_t* ids = nullptr;
    size_t count = 0;
    char* error = nullptr;
    if (f.encode(m_handle->processor, text.data(), text.size(), &ids, &count, &error) != 0) {
        throw Error(ErrorCode::InvalidArgument, "SentencePiece encode failed: " + takeString(f, error));
    }
    std::vector<int32_t> out(ids, ids + count);
    f.free(ids);
    return out;
}

std::string SentencePieceModel::decode(const std::vector<int32_t>& ids) const
{
    const auto& f = *m_handle->functions;
    char* text = nullptr;
    size_t length = 0;
    char* error = nullptr;
    if (f.decode(m_handle->processor, ids.data(), ids.size(), &text, &length, &error) != 0) {
        throw Error(ErrorCode::InvalidArgument, "SentencePiece decode failed: " + takeString(f, error));
    }
    std::string out(text, length);
    f.free(text);
    return out;
}

SentencePieceModuleStatus sentencePieceModuleStatus() { return loadedModule().status; }

} // namespace vora::core
