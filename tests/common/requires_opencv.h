#pragma once
// Suites that decode image files stay registered in a build without OpenCV (the headless GPU build's
// kind): their decoding cases report a skip that names the reason instead of the suite vanishing.
// CTest counts a suite whose output says "suite skipped:" as skipped (tests/VoraTests.cmake).
#include <QTest>

#ifdef VORA_HAVE_OPENCV
#define VORA_REQUIRE_OPENCV() \
    do {                      \
    } while (false)
#define VORA_SUITE_REQUIRES_OPENCV() VORA_REQUIRE_OPENCV()
#else
#define VORA_REQUIRE_OPENCV() QSKIP("built without OpenCV: image files cannot be decoded")
#define VORA_SUITE_REQUIRES_OPENCV() QSKIP("suite skipped: built without OpenCV, image files cannot be decoded")
#endif
