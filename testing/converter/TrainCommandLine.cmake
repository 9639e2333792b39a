# `medcrypt train` end to end: phantom images in a directory, 50 steps of the tiny preset with a
# checkpoint and model snapshots, then a resumed run to step 80 that must start where the checkpoint left off.
# Variables: MEDCRYPT (the executable), WORK_DIR (scratch directory, recreated).
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR}/images/volumes)
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE errors)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "failed (${status}): ${ARGN}\n${output}\n${errors}")
  endif()
  set(last_output "${output}" PARENT_SCOPE)
  set(last_errors "${errors}" PARENT_SCOPE)
endfunction()
function(expect_match pattern text)
  if(NOT text MATCHES "${pattern}")
    message(FATAL_ERROR "expected output matching '${pattern}', got:\n${text}")
  endif()
endfunction()

# Three kinds of input: a 2-D int16 MetaImage, a 2-D uint8 PNG, a 3-D uint16 NRRD volume; and a
# file that is not an image, which must be skipped with a note.
run(${MEDCRYPT} phantom --out ${WORK_DIR}/images/ct.mha --size 48 --seed 1)
run(${MEDCRYPT} phantom --out ${WORK_DIR}/images/slice.png --size 40 --type uint8 --seed 2)
run(${MEDCRYPT} phantom --out ${WORK_DIR}/images/volumes/head.nrrd --size 36 --slices 3 --type uint16 --seed 3)
file(WRITE ${WORK_DIR}/images/volumes/notes.dcm "not a DICOM file\n")

set(common train --preset tiny --data ${WORK_DIR}/images --crop 32 --pretrain-steps 10 --threads 1
    --checkpoint-every 25 --progress-every 25 --seed 7 --out ${WORK_DIR}/tiny.pt)
file(MAKE_DIRECTORY ${WORK_DIR}/snapshots)
run(${MEDCRYPT} ${common} --checkpoint ${WORK_DIR}/tiny.checkpoint --steps 50 --snapshot-dir ${WORK_DIR}/snapshots)
expect_match("data: [0-9]+ slices from 3 image file" "${last_output}")
expect_match("step 50/50 \\| phase 2 encryption" "${last_output}")
expect_match("model written to .*tiny.pt \\(model id [0-9a-f]+\\)" "${last_output}")
expect_match("note: skipping .*notes.dcm" "${last_errors}")
foreach(file tiny.pt tiny.checkpoint snapshots/step-0000025.mcmodel snapshots/step-0000050.mcmodel)
  if(NOT EXISTS ${WORK_DIR}/${file})
    message(FATAL_ERROR "${file} was not written")
  endif()
endforeach()
file(GLOB snapshots ${WORK_DIR}/snapshots/*)
list(LENGTH snapshots snapshot_count)
if(NOT snapshot_count EQUAL 2)
  message(FATAL_ERROR "--snapshot-dir must hold the models of steps 25 and 50 only, got: ${snapshots}")
endif()
# The snapshot of the last step is the final model and the one of step 25 is not (phase 2 trains the
# encryption too): their ciphertexts of one image under one key say so.
set(ENV{MEDCRYPT_TEST_PASSPHRASE} "snapshot test passphrase")
foreach(model tiny.pt snapshots/step-0000050.mcmodel snapshots/step-0000025.mcmodel)
  string(MAKE_C_IDENTIFIER ${model} name)
  run(${MEDCRYPT} encrypt --key-env MEDCRYPT_TEST_PASSPHRASE --model ${WORK_DIR}/${model} --neural-only
      ${WORK_DIR}/images/ct.mha ${WORK_DIR}/${name}-cipher.mha)
  file(SHA256 ${WORK_DIR}/${name}-cipher.mha ${name}_cipher)
endforeach()
if(NOT tiny_pt_cipher STREQUAL snapshots_step_0000050_mcmodel_cipher
   OR tiny_pt_cipher STREQUAL snapshots_step_0000025_mcmodel_cipher)
  message(FATAL_ERROR "the step-50 snapshot must encrypt as the final model does and the step-25 one must not")
endif()
# A --snapshot-dir that does not exist is refused before any training step, with status 2.
execute_process(COMMAND ${MEDCRYPT} ${common} --steps 20 --checkpoint ${WORK_DIR}/unused.checkpoint
                        --snapshot-dir ${WORK_DIR}/no-such-dir
                RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE errors)
if(NOT status EQUAL 2 OR NOT errors MATCHES "cannot write into .*no-such-dir.*--snapshot-dir" OR output MATCHES "step ")
  message(FATAL_ERROR "a missing --snapshot-dir must be refused before training with status 2, got ${status}: ${errors}")
endif()

run(${MEDCRYPT} ${common} --checkpoint ${WORK_DIR}/tiny.checkpoint --steps 80 --resume)
expect_match("resumed from .*tiny.checkpoint at step 50" "${last_output}")
expect_match("step 75/80" "${last_output}")
expect_match("step 80/80 \\| phase 2 encryption" "${last_output}")
if(last_output MATCHES "step 25/")
  message(FATAL_ERROR "the resumed run started over:\n${last_output}")
endif()

# A missing checkpoint is refused with exit status 2.
execute_process(COMMAND ${MEDCRYPT} ${common} --steps 80 --resume --checkpoint ${WORK_DIR}/missing.checkpoint
                RESULT_VARIABLE status OUTPUT_QUIET ERROR_VARIABLE errors)
if(NOT status EQUAL 2 OR NOT errors MATCHES "missing.checkpoint does not exist")
  message(FATAL_ERROR "a missing checkpoint must be refused with status 2, got ${status}: ${errors}")
endif()

# Attacks on a permuted layout: a format version that does not permute is refused before any work, and
# format 3's layout needs crops that are whole 16 x 16 pools (--crop 40 is a multiple of 8, not 16): both
# refused with status 2 and nothing written.
execute_process(COMMAND ${MEDCRYPT} ${common} --steps 5 --attack-permuted-cells --attack-format-version 1
                        --checkpoint ${WORK_DIR}/unused.checkpoint
                RESULT_VARIABLE status OUTPUT_QUIET ERROR_VARIABLE errors)
if(NOT status EQUAL 2 OR NOT errors MATCHES "--attack-format-version must be 2 to 4")
  message(FATAL_ERROR "--attack-format-version 1 must be refused with status 2, got ${status}: ${errors}")
endif()
execute_process(COMMAND ${MEDCRYPT} train --preset tiny --data ${WORK_DIR}/images --crop 40 --threads 1 --steps 3
                        --pretrain-steps 0 --attack-probability 1 --attack-permuted-cells --seed 7
                        --checkpoint ${WORK_DIR}/unused.checkpoint --out ${WORK_DIR}/unused.pt
                RESULT_VARIABLE status OUTPUT_QUIET ERROR_VARIABLE errors)
if(NOT status EQUAL 2 OR NOT errors MATCHES "needs a --crop that is a multiple of 16 \\(got 40\\)"
   OR EXISTS ${WORK_DIR}/unused.pt)
  message(FATAL_ERROR "--crop 40 with format 3's attacks must be refused, got ${status}: ${errors}")
endif()

# Fine-tuning the decryption network of the trained model: no pre-training by default with --init,
# a model with a new id is written, and the run says what it trains.
set(finetune train --preset tiny --data ${WORK_DIR}/images --crop 32 --threads 1 --progress-every 10 --seed 7)
run(${MEDCRYPT} ${finetune} --init ${WORK_DIR}/tiny.pt --train decryption --steps 20
    --checkpoint ${WORK_DIR}/tuned.checkpoint --out ${WORK_DIR}/tuned.pt)
expect_match("20 steps \\(0 pre-training\\)" "${last_output}")
expect_match("step 20/20 \\| phase 2 decryption only" "${last_output}")
expect_match("model written to .*tuned.pt" "${last_output}")

# Format 4's refinement of attacked ciphertexts in the loss (--refine-attacked) reports its own term, and
# is refused without the refinement steps and the stored layout it imitates.
run(${MEDCRYPT} ${finetune} --init ${WORK_DIR}/tiny.pt --train decryption --steps 10 --refinement-training-steps 1
    --attack-permuted-cells --attack-probability 1 --refine-attacked --checkpoint ${WORK_DIR}/attacked.checkpoint
    --out ${WORK_DIR}/attacked.pt)
expect_match("step 10/10 \\| phase 2 decryption only .*l1_attacked_refined [0-9.]+" "${last_output}")
execute_process(COMMAND ${MEDCRYPT} ${finetune} --init ${WORK_DIR}/tiny.pt --train decryption --steps 5
                        --refinement-training-steps 1 --refine-attacked --out ${WORK_DIR}/refused.pt
                RESULT_VARIABLE status OUTPUT_QUIET ERROR_VARIABLE errors)
if(NOT status EQUAL 2 OR NOT errors MATCHES "--refine-attacked trains format 4's refinement" OR EXISTS ${WORK_DIR}/refused.pt)
  message(FATAL_ERROR "--refine-attacked without --attack-permuted-cells must be refused, got ${status}: ${errors}")
endif()

# The fine-tuning resumes without --init (and without --pretrain-steps: decryption never pre-trains),
# with other attack bounds.
run(${MEDCRYPT} ${finetune} --train decryption --resume --steps 30 --attack-max-rectangle 0.4
    --attack-max-noise 0.04 --checkpoint ${WORK_DIR}/tuned.checkpoint --out ${WORK_DIR}/tuned.pt)
expect_match("resumed from .*tuned.checkpoint at step 20" "${last_output}")
expect_match("step 30/30 \\| phase 2 decryption only" "${last_output}")

# A new alpha ceiling starts from the trained weights and the twin correlation is reported; an alpha
# ceiling above 1 is refused.
run(${MEDCRYPT} ${finetune} --init ${WORK_DIR}/tiny.pt --alpha-max 0.75 --twin-correlation-weight 1 --steps 10
    --checkpoint ${WORK_DIR}/capped.checkpoint --out ${WORK_DIR}/capped.pt)
expect_match("step 10/10 \\| phase 2 encryption .*twin_corr [0-9.]+" "${last_output}")
# Resuming that run (begun with --init, so without pre-training) with the default --pretrain-steps,
# a fifth of --steps, would send it back to the autoencoder phase: refused with status 2; with
# --pretrain-steps 0 it continues in phase 2.
execute_process(COMMAND ${MEDCRYPT} ${finetune} --alpha-max 0.75 --resume --steps 100 --checkpoint ${WORK_DIR}/capped.checkpoint
                        --out ${WORK_DIR}/capped.pt RESULT_VARIABLE status OUTPUT_QUIET ERROR_VARIABLE errors)
if(NOT status EQUAL 2 OR NOT errors MATCHES "capped.checkpoint: the checkpoint is past pre-training .*--pretrain-steps 10 or less")
  message(FATAL_ERROR "a resume that would pre-train again must be refused with status 2, got ${status}: ${errors}")
endif()
run(${MEDCRYPT} ${finetune} --alpha-max 0.75 --resume --pretrain-steps 0 --steps 12 --checkpoint ${WORK_DIR}/capped.checkpoint
    --out ${WORK_DIR}/capped.pt)
expect_match("step 12/12 \\| phase 2 encryption" "${last_output}")
execute_process(COMMAND ${MEDCRYPT} ${finetune} --init ${WORK_DIR}/tiny.pt --alpha-max 1.5 --steps 5
                --out ${WORK_DIR}/refused.pt RESULT_VARIABLE status OUTPUT_QUIET ERROR_VARIABLE errors)
if(NOT status EQUAL 2 OR NOT errors MATCHES "alpha_max must lie in")
  message(FATAL_ERROR "--alpha-max 1.5 must be refused with status 2, got ${status}: ${errors}")
endif()

# Decryption-only training of an untrained network, an unknown --train and a missing --init are refused.
foreach(case "--train;decryption" "--train;encoder;--init;${WORK_DIR}/tiny.pt"
        "--init;${WORK_DIR}/missing.pt")
  execute_process(COMMAND ${MEDCRYPT} ${finetune} ${case} --steps 5 --out ${WORK_DIR}/refused.pt
                  RESULT_VARIABLE status OUTPUT_QUIET ERROR_VARIABLE errors)
  if(NOT status EQUAL 2 OR NOT errors MATCHES "(--init MODEL|use all or decryption|missing.pt: cannot open)")
    message(FATAL_ERROR "medcrypt train ${case} must be refused with status 2, got ${status}: ${errors}")
  endif()
  if(EXISTS ${WORK_DIR}/refused.pt)
    message(FATAL_ERROR "a refused run wrote a model")
  endif()
endforeach()

# Decryption-only fine-tuning with the zoom augmentation; a zoom range upside down is refused.
run(${MEDCRYPT} ${finetune} --init ${WORK_DIR}/tiny.pt --train decryption --steps 10 --zoom-probability 1
    --min-zoom 0.5 --max-zoom 1.5 --checkpoint ${WORK_DIR}/zoomed.checkpoint --out ${WORK_DIR}/zoomed.pt)
expect_match("step 10/10 \\| phase 2 decryption only" "${last_output}")
execute_process(COMMAND ${MEDCRYPT} ${finetune} --init ${WORK_DIR}/tiny.pt --train decryption --steps 5
                --min-zoom 0.9 --max-zoom 0.6 --out ${WORK_DIR}/refused.pt
                RESULT_VARIABLE status OUTPUT_QUIET ERROR_VARIABLE errors)
if(NOT status EQUAL 2 OR NOT errors MATCHES "--min-zoom and --max-zoom")
  message(FATAL_ERROR "--min-zoom above --max-zoom must be refused with status 2, got ${status}: ${errors}")
endif()

# Averaging two snapshots of the decryption-only run (tuned.pt at step 30, zoomed.pt at step 10 of
# another run from the same model): written with a new id; a missing input and --out among the
# inputs are refused without writing anything.
run(${MEDCRYPT} average --out ${WORK_DIR}/averaged.pt ${WORK_DIR}/tuned.pt ${WORK_DIR}/zoomed.pt)
expect_match("average of 2 models written to .*averaged.pt \\(model id [0-9a-f]+\\)" "${last_output}")
execute_process(COMMAND ${MEDCRYPT} average --out ${WORK_DIR}/refused.pt ${WORK_DIR}/tuned.pt ${WORK_DIR}/missing.pt
                RESULT_VARIABLE status OUTPUT_QUIET ERROR_VARIABLE errors)
if(NOT status EQUAL 2 OR NOT errors MATCHES "missing.pt: cannot open" OR EXISTS ${WORK_DIR}/refused.pt)
  message(FATAL_ERROR "averaging a missing model must be refused with status 2 and write nothing, got ${status}: ${errors}")
endif()
file(SHA256 ${WORK_DIR}/tuned.pt before)
execute_process(COMMAND ${MEDCRYPT} average --out ${WORK_DIR}/tuned.pt ${WORK_DIR}/tuned.pt ${WORK_DIR}/zoomed.pt
                RESULT_VARIABLE status OUTPUT_QUIET ERROR_VARIABLE errors)
file(SHA256 ${WORK_DIR}/tuned.pt after)
if(NOT status EQUAL 2 OR NOT errors MATCHES "is one of the models to average" OR NOT before STREQUAL after)
  message(FATAL_ERROR "--out among the inputs must be refused with status 2 and leave it alone, got ${status}: ${errors}")
endif()
# An unwritable --out is named with the reason in one line, without LibTorch's backtrace.
execute_process(COMMAND ${MEDCRYPT} average --out ${WORK_DIR}/no-such-dir/averaged.pt ${WORK_DIR}/tuned.pt
                ${WORK_DIR}/zoomed.pt RESULT_VARIABLE status OUTPUT_QUIET ERROR_VARIABLE errors)
if(NOT status EQUAL 2 OR NOT errors MATCHES "averaged.pt: cannot write the model file" OR errors MATCHES "frame #")
  message(FATAL_ERROR "an unwritable --out must be refused with status 2 and one clear message, got ${status}: ${errors}")
endif()

# A wider last decoder stage, started from the trained model by function-preserving widening: the
# encryption is copied, so both models write the same ciphertext pixels for the same key; a model
# cannot be narrowed, and a width of 0 is refused.
run(${MEDCRYPT} ${finetune} --init ${WORK_DIR}/tiny.pt --decoder-head-channels 16 --train decryption --steps 5
    --checkpoint ${WORK_DIR}/wide.checkpoint --out ${WORK_DIR}/wide.pt)
expect_match("step 5/5 \\| phase 2 decryption only" "${last_output}")
set(ENV{MEDCRYPT_TEST_PASSPHRASE} "widening test passphrase")
foreach(model tiny wide)
  run(${MEDCRYPT} encrypt --key-env MEDCRYPT_TEST_PASSPHRASE --model ${WORK_DIR}/${model}.pt --neural-only
      ${WORK_DIR}/images/ct.mha ${WORK_DIR}/${model}-cipher.mha)
  file(SHA256 ${WORK_DIR}/${model}-cipher.mha ${model}_cipher)
endforeach()
if(NOT tiny_cipher STREQUAL wide_cipher)
  message(FATAL_ERROR "widening the decoder changed the ciphertext")
endif()
foreach(case "--init;${WORK_DIR}/wide.pt" "--init;${WORK_DIR}/tiny.pt;--decoder-head-channels;0")
  execute_process(COMMAND ${MEDCRYPT} ${finetune} ${case} --train decryption --steps 5 --out ${WORK_DIR}/refused.pt
                  RESULT_VARIABLE status OUTPUT_QUIET ERROR_VARIABLE errors)
  if(NOT status EQUAL 2 OR NOT errors MATCHES "(last decoder stage is narrower|--decoder-head-channels must be)"
     OR EXISTS ${WORK_DIR}/refused.pt)
    message(FATAL_ERROR "medcrypt train ${case} must be refused with status 2, got ${status}: ${errors}")
  endif()
endforeach()

# An unwritable --out is refused before any training step, in one line naming the path.
execute_process(COMMAND ${MEDCRYPT} ${finetune} --init ${WORK_DIR}/tiny.pt --train decryption --steps 5
                --out ${WORK_DIR}/no-such-dir/trained.pt RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE errors)
if(NOT status EQUAL 2 OR NOT errors MATCHES "trained.pt: cannot write into .*no-such-dir" OR output MATCHES "step "
   OR errors MATCHES "frame #")
  message(FATAL_ERROR "an unwritable --out must be refused before training with status 2, got ${status}: ${output} ${errors}")
endif()
