#include "core/device/runtime_info.h"
#include "core/error.h"

#include <QTest>

using namespace vora::core;

class TestRuntimeInfo : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void listsCpuFirst()
    {
        const RuntimeInfo info = runtimeInfo();
        QVERIFY(!info.devices.empty());
        QCOMPARE(info.devices.front().id, std::string("cpu"));
        QVERIFY(info.devices.front().totalMemoryBytes > 0);
        QVERIFY(info.cpuThreads >= 1);
    }

    void reportsLibraryVersions()
    {
        const RuntimeInfo info = runtimeInfo();
        QVERIFY(!info.torchVersion.empty());
        QCOMPARE(info.voraVersion.empty(), false);
#ifdef VORA_HAVE_OPENCV
        QVERIFY(!info.opencvVersion.empty());
#endif
    }

    void sentencePieceModuleLoadsBesideLibtorch()
    {
        // The module carries its own protobuf; loading it in a process that has libtorch must work.
        const RuntimeInfo info = runtimeInfo();
#ifdef VORA_WITH_SENTENCEPIECE
        QVERIFY2(info.sentencePieceAvailable, info.sentencePieceDetail.c_str());
#else // built without it (the asan preset: RTLD_DEEPBIND does not work under AddressSanitizer)
        QVERIFY(!info.sentencePieceAvailable);
        QVERIFY(!info.sentencePieceDetail.empty()); // says why
#endif
    }

    void errorsCarryCodeAndMessage()
    {
        try {
            require(false, ErrorCode::CorruptFile, "model.safetensors: header too long");
            QFAIL("require(false) did not throw");
        } catch (const Error& error) {
            QCOMPARE(error.code(), ErrorCode::CorruptFile);
            QCOMPARE(std::string(error.what()), std::string("model.safetensors: header too long"));
            QCOMPARE(errorCodeName(error.code()), std::string_view("corrupt file"));
        }
    }
};

QTEST_GUILESS_MAIN(TestRuntimeInfo)
#include "test_runtime_info.moc"
