# Install rules: binaries, the sentencepiece module beside the libraries, the desktop entry and icon.
include(GNUInstallDirs)
install(TARGETS vora RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(TARGET vora_sentencepiece)
  install(TARGETS vora_sentencepiece LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/vora-studio)
endif()
if(VORA_BUILD_GUI)
  install(TARGETS vora-studio RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(FILES ${PROJECT_SOURCE_DIR}/packaging/vora-studio.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
  install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/vora-studio.svg
          DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
endif()
