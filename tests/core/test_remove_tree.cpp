// core::removeTree, the folder deletion that checkpoint pruning and staging cleanup share: nested
// folders go, a symlink is removed without following it, and a missing path is success. (A failing
// removal cannot be staged here: the tests run as root, which deletes from read-only folders.)
#include "core/io/remove_tree.h"

#include <QTemporaryDir>
#include <QTest>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

class TestRemoveTree : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void removesNestedFoldersAndNotWhatSymlinksPointTo()
    {
        QTemporaryDir dir;
        const fs::path root(dir.path().toStdString());
        const fs::path keep = root / "keep";
        fs::create_directories(keep);
        std::ofstream(keep / "kept.txt") << "stays";
        const fs::path tree = root / "tree";
        fs::create_directories(tree / "a" / "b");
        std::ofstream(tree / "top.bin") << "x";
        std::ofstream(tree / "a" / "b" / "deep.bin") << "y";
        fs::create_directory_symlink(keep, tree / "a" / "link");

        std::error_code error;
        vora::core::removeTree(tree, error);
        QVERIFY2(!error, error.message().c_str());
        QVERIFY(!fs::exists(fs::symlink_status(tree)));
        QVERIFY(fs::exists(keep / "kept.txt"));

        vora::core::removeTree(tree, error); // already gone
        QVERIFY(!error);
    }
};

QTEST_GUILESS_MAIN(TestRemoveTree)
#include "test_remove_tree.moc"
